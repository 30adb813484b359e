using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rlhf.Tests.Hosting;

namespace Rlhf.Cli.Tests;

/// <summary><c>rlhf run watch</c> and <c>run show</c> piped into a file, as CI logs and <c>| tee</c> see them.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class WatchOutputTests(LocalHostFixture host)
{
    [Fact]
    public async Task Piped_watch_prints_each_change_once_with_the_stages_own_progress_and_never_wraps_the_report_url()
    {
        var spec = JsonNode.Parse(LocalHostFixture.TinySpec)!;
        spec["basePolicy"]!["sft"]!["steps"] = 600;
        var file = Path.Combine(Path.GetTempPath(), $"watch-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, spec.ToJsonString());
        var endpoint = host.Host.ApiUri.AbsoluteUri.TrimEnd('/');
        Assert.Equal(0, (await CliRun.RunAsync("run", "start", file, "--run-id", "watch-1", "--endpoint", endpoint)).Code);

        var watch = CliRun.RunAsync("run", "watch", "watch-1", "--interval", "0.2", "--endpoint", endpoint);
        await host.WaitForRunAsync("watch-1", r => r.IsFinished || r.Stages is [{ Done: >= 250 }], TimeSpan.FromSeconds(120));
        var (_, shown, _) = await CliRun.RunAsync("run", "show", "watch-1", "--endpoint", endpoint);
        await CliRun.RunAsync("run", "cancel", "watch-1", "--endpoint", endpoint);
        var (code, output, error) = await watch;

        Assert.Equal(ExitCodes.RunNotCompleted, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == lines.Distinct().Count(), $"repeated lines in:\n{output}");
        var report = $"{endpoint}/api/runs/watch-1/report";
        Assert.Contains("Watching run watch-1", lines);
        Assert.Contains($"report: {report}", lines);
        // a line at the start and at each tenth of the 600 SFT steps passed while watching, each with its step count
        var sft = lines.Where(l => l.Contains(" base-policy ", StringComparison.Ordinal)).ToList();
        Assert.True(sft.Count >= 3, $"base-policy lines:\n{output}");
        Assert.True(sft.Any(l => Regex.IsMatch(l, @"base-policy  [1-9][0-9]*/600 steps \([0-9]+%\)  [0-9.]+m?[0-9]*s")), $"no progress line in:\n{output}");
        // only SFT's own figures on its lines
        Assert.DoesNotContain(sft, l => l.Contains("acc=", StringComparison.Ordinal) || l.Contains("reward=", StringComparison.Ordinal) || l.Contains("KL=", StringComparison.Ordinal));
        Assert.Contains("Run watch-1 Terminated", lines);
        Assert.Equal("", error);

        // run show: the report URL whole on one line, the stage's progress in steps and its wall time
        Assert.Contains(shown.Split('\n'), l => l.TrimEnd() == $"report:    {report}");
        Assert.Matches(@"base-policy .*[0-9]+/600 steps", shown);
    }
}

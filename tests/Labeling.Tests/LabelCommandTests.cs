using System.Text.Json;
using Rlhf.Cli;
using Rlhf.Cli.Commands;
using Rlhf.Tests.Hosting;

namespace Rlhf.Labeling.Tests;

/// <summary><c>rlhf label links</c> against the real local host.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class LabelCommandTests(LocalHostFixture host)
{
    [Theory]
    [InlineData("30m", 30)]
    [InlineData("24h", 1440)]
    [InlineData("7d", 10080)]
    [InlineData("0h", null)]
    [InlineData("24", null)]
    [InlineData("1w", null)]
    public void Ttl_is_minutes_hours_or_days(string text, int? minutes) =>
        Assert.Equal(minutes, LabelCommand.ParseTtlMinutes(text));

    [Fact]
    public async Task Links_prints_one_link_per_labeler_and_pending_batch()
    {
        var runId = $"lab-cli-{Guid.NewGuid():N}"[..16];
        await LabelingScenario.StartAsync(host, runId);

        var (code, text, _) = await RunAsync("label", "links", runId, "--labeler", "alice", "--labeler", "bob", "--ttl", "2h", "--endpoint", host.Host.ApiUri.ToString());
        var (jsonCode, json, _) = await RunAsync("label", "links", runId, "--labeler", "carol", "--json", "--endpoint", host.Host.ApiUri.ToString());
        var (badCode, _, badError) = await RunAsync("label", "links", runId, "--labeler", "Carol!", "--endpoint", host.Host.ApiUri.ToString());

        Assert.Equal(ExitCodes.Ok, code);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("alice\tbatch 0\texpires ", lines[0], StringComparison.Ordinal);
        Assert.Contains("/api/label?token=", lines[1], StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, jsonCode);
        var links = JsonDocument.Parse(json).RootElement.GetProperty("links");
        Assert.Equal("carol", links[0].GetProperty("labeler").GetString());
        var expires = links[0].GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        Assert.Equal(ExitCodes.Error, badCode);
        Assert.Contains("$.labelers[0]", badError, StringComparison.Ordinal);
        await host.Durable.TerminateInstanceAsync($"{runId}:labels", "test done");
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, CliIo.ForWriters(output, error));
        return (code, output.ToString(), error.ToString());
    }
}

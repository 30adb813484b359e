using System.Text.Json.Nodes;
using Rlhf.Core.Storage;
using Rlhf.Tests.Hosting;

namespace Rlhf.Cli.Tests;

/// <summary>The <c>rlhf</c> verbs as a user runs them: help, argument errors, JSON output against a real in-process host, and a down endpoint.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class CliTests(LocalHostFixture host)
{
    [Fact]
    public async Task Help_lists_every_verb()
    {
        var root = await RunAsync("--help");
        var run = await RunAsync("run", "--help");

        Assert.Equal(0, root.Code);
        foreach (var verb in new[] { "serve", "run", "runs", "demo", "--endpoint", "--json" })
        {
            Assert.Contains(verb, root.Out, StringComparison.Ordinal);
        }

        foreach (var verb in new[] { "start", "show", "watch", "cancel", "report", "purge" })
        {
            Assert.Contains(verb, run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Missing_argument_and_unknown_option_fail_with_a_message()
    {
        var missing = await RunAsync("run", "start");
        var unknown = await RunAsync("runs", "list", "--colour", "red");

        Assert.NotEqual(0, missing.Code);
        Assert.Contains("Required argument missing", missing.Err, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown.Code);
        Assert.Contains("--colour", unknown.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_keeps_its_report_as_a_file_that_outlives_the_host()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"rlhf-demo-{Guid.NewGuid():N}");

        var result = await RunAsync("demo", "--spec", "configs/tiny.json", "--data-dir", dataDir, "--endpoint", Endpoint, "--json");

        Assert.True(result.Code == 0, result.Err);
        var summary = Json(result);
        var file = summary["reportFile"]!.GetValue<string>();
        Assert.Equal(Path.Combine(dataDir, "reports", $"{summary["runId"]!.GetValue<string>()}.html"), file);
        Assert.Contains("<html", await File.ReadAllTextAsync(file), StringComparison.OrdinalIgnoreCase);
        // Three of the samples the evaluation drew with the run's seed: what SFT and the tuned policy wrote for one prompt.
        var samples = summary["samples"]!.AsArray();
        Assert.Equal(3, samples.Count);
        Assert.All(samples, s => Assert.False(string.IsNullOrEmpty(s!["prompt"]!.GetValue<string>())));
        Assert.All(samples, s => Assert.NotNull(s!["sftGold"]));
        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task Unreachable_endpoint_asks_whether_serve_is_running()
    {
        var endpoint = $"http://127.0.0.1:{FreePorts.FindConsecutive(1)}";

        var result = await RunAsync("runs", "list", "--endpoint", endpoint);

        Assert.Equal(ExitCodes.Error, result.Code);
        Assert.Contains($"Is `rlhf serve` running at {endpoint}/?", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_spec_prints_the_servers_field_paths()
    {
        var spec = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(spec, """{ "name": "ok", "seed": -3 }""");

        var result = await RunAsync("run", "start", spec, "--run-id", "cli-bad", "--endpoint", Endpoint);

        Assert.Equal(ExitCodes.Error, result.Code);
        Assert.Contains("$.seed:", result.Err, StringComparison.Ordinal);
        Assert.Empty(await host.InstancesAsync("cli-bad"));
    }

    [Fact]
    public async Task Json_output_of_start_show_list_cancel_watch_and_report()
    {
        var spec = Path.Combine(Path.GetTempPath(), $"tiny-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(spec, LocalHostFixture.TinySpec);

        var start = Json(await RunAsync("run", "start", spec, "--run-id", "cli-1", "--json", "--endpoint", Endpoint));
        Assert.Equal("cli-1", (string?)start["id"]);
        Assert.EndsWith("/api/runs/cli-1", (string)start["statusQueryGetUri"]!, StringComparison.Ordinal);
        Assert.EndsWith("/api/runs/cli-1/cancel", (string)start["terminatePostUri"]!, StringComparison.Ordinal);

        await host.WaitForRunAsync("cli-1", r => r.Stage is not null);
        var show = Json(await RunAsync("run", "show", "cli-1", "--json", "--endpoint", Endpoint));
        Assert.Equal("cli-1", (string?)show["id"]);
        Assert.Equal("base-policy", (string?)show["stages"]![0]!["stage"]);
        Assert.NotNull(show["runtimeStatus"]);

        var list = Json(await RunAsync("runs", "list", "--prefix", "cli-", "--json", "--endpoint", Endpoint));
        Assert.Contains(list["runs"]!.AsArray(), r => (string?)r!["id"] == "cli-1");

        var ended = show["isFinished"]!.GetValue<bool>();
        if (!ended)
        {
            var cancel = Json(await RunAsync("run", "cancel", "cli-1", "--json", "--endpoint", Endpoint));
            Assert.Equal("cli-1", (string?)cancel["id"]);
        }

        var watch = await RunAsync("run", "watch", "cli-1", "--json", "--interval", "0.2", "--endpoint", Endpoint);
        Assert.Equal(ExitCodes.RunNotCompleted, watch.Code);
        var last = JsonNode.Parse(watch.Out.Trim().Split('\n')[^1])!;
        Assert.Contains((string)last["runtimeStatus"]!, new[] { "Terminated", "Failed" });

        var file = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.html");
        var report = await RunAsync("run", "report", "cli-1", "--out", file, "--endpoint", Endpoint);
        Assert.Equal(0, report.Code);
        Assert.Contains("<h1>Run <code>cli-1</code>", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    private string Endpoint => host.Host.ApiUri.AbsoluteUri.TrimEnd('/');

    private static JsonNode Json((int Code, string Out, string Err) result)
    {
        Assert.True(result.Code == 0, $"exit {result.Code}: {result.Err}");
        return JsonNode.Parse(result.Out)!;
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, CliIo.ForWriters(output, error));
        return (code, output.ToString(), error.ToString());
    }
}

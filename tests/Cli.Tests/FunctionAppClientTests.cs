using System.Text.Json.Nodes;
using Rlhf.Tests.Hosting;

namespace Rlhf.Cli.Tests;

/// <summary>
/// Every client verb against a deployed Function App (the stand-in: the FunctionApp build's own HTTP routes, function keys,
/// the real handlers behind): each works with <c>--endpoint</c> and <c>--function-key</c>, sends the key as
/// <c>x-functions-key</c> on every request, and never prints it.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class FunctionAppClientTests(LocalHostFixture host)
{
    private const string Key = "fk-7d2b0c4e1a9f-secret";

    [Fact]
    public async Task Every_client_verb_reaches_a_function_route_with_the_key_and_never_prints_it()
    {
        await using var app = await FunctionAppStandIn.StartAsync(host.Host.ApiUri, Key);
        var endpoint = app.Endpoint.AbsoluteUri.TrimEnd('/');
        var spec = Path.Combine(Path.GetTempPath(), $"fa-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(spec, LocalHostFixture.TinySpec);
        var report = Path.Combine(Path.GetTempPath(), $"fa-{Guid.NewGuid():N}.html");
        var compare = Path.Combine(Path.GetTempPath(), $"fa-{Guid.NewGuid():N}.html");
        var outputs = new List<string>();

        async Task<int> Verb(params string[] args)
        {
            var (code, output, error) = await CliRun.RunAsync([.. args, "--endpoint", endpoint, "--function-key", Key]);
            outputs.Add($"rlhf {string.Join(' ', args)} → {code}\n{output}\n{error}");
            return code;
        }

        Assert.Equal(0, await Verb("run", "start", spec, "--run-id", "fa-1"));
        await host.WaitForRunAsync("fa-1", r => r.Stage is not null);
        Assert.Equal(0, await Verb("run", "show", "fa-1"));
        Assert.Equal(0, await Verb("runs", "list", "--prefix", "fa-"));
        Assert.Equal(0, await Verb("run", "rerun", "fa-1", "--from", "policy", "--set", "policy.ppo.learningRate=0.0002", "--run-id", "fa-2"));
        // the run is not at its labeling stage: the API's answer (409), through the function route
        Assert.Equal(ExitCodes.Error, await Verb("label", "links", "fa-1", "--labeler", "alice"));
        Assert.Equal(0, await Verb("run", "cancel", "fa-1"));
        Assert.Equal(0, await Verb("run", "cancel", "fa-2"));
        await host.WaitForRunAsync("fa-2", r => r.IsFinished);
        Assert.Equal(ExitCodes.RunNotCompleted, await Verb("run", "watch", "fa-1", "--interval", "0.2"));
        Assert.Equal(0, await Verb("runs", "compare", "fa-1", "fa-2", "--out", compare));
        Assert.Equal(0, await Verb("run", "report", "fa-1", "--out", report));
        Assert.Equal(0, await Verb("run", "purge", "fa-2"));
        Assert.Equal(0, await Verb("run", "purge", "fa-1"));

        var requests = app.Requests.ToList();
        Assert.All(requests, r => Assert.True(r.Function is not null, $"{r.Method} {r.Path} is no Function App route"));
        Assert.All(requests, r => Assert.True(r.HadKey, $"{r.Method} {r.Path} came without the key"));
        Assert.Equal(
            ["CancelRun", "CompareRuns", "CompareRunsReport", "CreateLabelLinks", "GetRun", "GetRunReport", "ListRuns", "PurgeRun", "RerunRun", "StartRun"],
            requests.Select(r => r.Function!).Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain(outputs, o => o.Contains(Key, StringComparison.Ordinal));
        Assert.Contains("<h1>Run comparison</h1>", await File.ReadAllTextAsync(compare), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_key_the_app_says_401_and_the_cli_says_so_without_echoing_anything_secret()
    {
        await using var app = await FunctionAppStandIn.StartAsync(host.Host.ApiUri, Key);

        var (code, output, error) = await CliRun.RunAsync("runs", "list", "--endpoint", app.Endpoint.AbsoluteUri, "--function-key", "wrong-" + Key);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("Unauthorized (401)", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, output + error, StringComparison.Ordinal);
        Assert.False(Assert.Single(app.Requests).HadKey);
    }
}

/// <summary>Runs the CLI in-process as a user would, output captured as a pipe would (not a terminal).</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, CliIo.ForWriters(output, error));
        return (code, output.ToString(), error.ToString());
    }

    public static JsonNode Json((int Code, string Out, string Err) result)
    {
        Assert.True(result.Code == 0, $"exit {result.Code}: {result.Err}");
        return JsonNode.Parse(result.Out)!;
    }
}

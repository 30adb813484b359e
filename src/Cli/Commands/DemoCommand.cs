using System.CommandLine;
using System.Globalization;
using Rlhf.Api;
using Rlhf.Cli.Client;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.Cli.Commands;

/// <summary>
/// <c>rlhf demo</c>: the built-in demo in one go. Uses the host at <c>--endpoint</c>, or starts one in-process
/// on that port when none answers; starts the demo run, follows it and prints its summary.
/// </summary>
public static class DemoCommand
{
    public static Command Create(CliIo io, CommonOptions common)
    {
        var spec = new Option<string>("--spec") { Description = "Run spec of the demo", DefaultValueFactory = _ => "configs/demo.json" };
        var dataDir = new Option<string>("--data-dir") { Description = "Local state of a host started for the demo", DefaultValueFactory = _ => ".rlhf" };
        var noReuse = new Option<bool>("--no-reuse") { Description = "Run every step again, even those an earlier demo run completed (docs/reuse.md)" };
        var command = new Command("demo", "Run the built-in RLHF demo end to end and print its summary") { spec, dataDir, noReuse };
        command.SetAction((parse, ct) => CliApp.GuardAsync(io, parse.GetValue(common.Json), () =>
            RunAsync(io, parse.GetValue(common.Endpoint)!, parse.GetValue(spec)!, parse.GetValue(dataDir)!, parse.GetValue(common.Json), ct, !parse.GetValue(noReuse), parse.GetValue(common.FunctionKey))));
        return command;
    }

    public static async Task<int> RunAsync(CliIo io, Uri endpoint, string specPath, string dataDir, bool json, CancellationToken cancellationToken, bool reuse = true, string? functionKey = null)
    {
        var specFile = RepoRoot.Resolve(specPath, RepoRoot.Find());
        var specJson = await File.ReadAllTextAsync(specFile, cancellationToken);
        using var client = new RlhfApiClient(endpoint, functionKey);
        await using var host = await EnsureHostAsync(io, client, dataDir, json, cancellationToken);

        var links = await client.StartRunAsync(specJson, runId: null, reuse, cancellationToken);
        if (!json)
        {
            await io.Out.WriteLineAsync($"Started run {links.Id} from {specFile}");
        }

        var run = json
            ? await WaitAsync(client, links.Id, cancellationToken)
            : await WatchCommand.WatchAsync(io, client, links.Id, TimeSpan.FromSeconds(1), json: false, cancellationToken);
        // the report URL dies with a host started for the demo: keep the report as a file next to the host's data
        var reportFile = Path.GetFullPath(Path.Combine(dataDir, "reports", $"{run.Id}.html"));
        Directory.CreateDirectory(Path.GetDirectoryName(reportFile)!);
        await File.WriteAllTextAsync(reportFile, await client.GetReportAsync(run.Id, cancellationToken), cancellationToken);
        // the run lists the evaluate step's manifest, under this run or, when the step was reused, under the run that computed it
        var evaluateManifest = $"/{StepNames.Evaluate}/{StepManifest.FileName}";
        var samples = run.Artifacts.FirstOrDefault(a => a.Path.StartsWith("runs/", StringComparison.Ordinal) && a.Path.EndsWith(evaluateManifest, StringComparison.Ordinal)) is { } manifest
            ? DemoSummary.SamplesOf(await client.GetArtifactTextAsync(
                manifest.Path["runs/".Length..^evaluateManifest.Length], $"{StepNames.Evaluate}/{DemoSummary.EvaluationFile}", cancellationToken))
            : [];
        var summary = DemoSummary.From(run) with { ReportFile = reportFile, Samples = samples };
        if (json)
        {
            await CliApp.WriteJsonAsync(io, summary);
        }
        else
        {
            Write(io, summary, run);
        }

        return WatchCommand.ExitCodeFor(run);
    }

    /// <summary>Null when a host already answers at the endpoint; else a local host started on the endpoint's port.</summary>
    private static async Task<LocalHostHandle?> EnsureHostAsync(CliIo io, RlhfApiClient client, string dataDir, bool json, CancellationToken cancellationToken)
    {
        if (await client.IsServingAsync(cancellationToken))
        {
            return null;
        }

        if (!client.Endpoint.IsLoopback)
        {
            throw new RlhfEndpointUnreachableException(client.Endpoint, new HttpRequestException("no rlhf API answered"));
        }

        if (!json)
        {
            await io.Out.WriteLineAsync($"No host at {client.Endpoint}; starting one in this process (data in {Path.GetFullPath(dataDir)})");
        }

        return await LocalHost.StartAsync(new LocalHostOptions { Port = client.Endpoint.Port, DataDir = dataDir }, cancellationToken);
    }

    private static async Task<RunDetail> WaitAsync(RlhfApiClient client, string runId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = await client.GetRunAsync(runId, cancellationToken);
            if (run.IsFinished)
            {
                return run;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private static void Write(CliIo io, DemoSummary summary, RunDetail run)
    {
        io.Out.WriteLine($"run:       {summary.RunId}");
        io.Out.WriteLine($"status:    {summary.Status}");
        io.Out.WriteLine($"wall time: {summary.WallSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        foreach (var (label, value) in summary.Highlights)
        {
            io.Out.WriteLine($"{label}: {value.ToString("G4", CultureInfo.InvariantCulture)}");
        }

        if (summary.Error is not null)
        {
            io.Out.WriteLine($"error:     {summary.Error}");
        }

        io.Out.WriteLine($"report:    {summary.ReportFile ?? summary.ReportUri}");
        if (summary.Samples.Count > 0)
        {
            // whole texts on lines of their own: a table would wrap or cut them
            io.Out.WriteLine("What they wrote (held-out prompts drawn with the run's seed, not picked):");
            foreach (var s in summary.Samples)
            {
                io.Out.WriteLine($"  prompt: {s.Prompt}");
                io.Out.WriteLine($"    SFT   (gold {Gold(s.SftGold)}): {s.Sft}");
                io.Out.WriteLine($"    tuned (gold {Gold(s.TunedGold)}): {s.Tuned}");
            }
        }

        io.Out.Flush();
        RunRendering.WriteStages(io, run);
        RunRendering.WriteMetrics(io.Ansi, run.Metrics);
    }

    private static string Gold(double? gold) => gold?.ToString("F2", CultureInfo.InvariantCulture) ?? "n/a";
}

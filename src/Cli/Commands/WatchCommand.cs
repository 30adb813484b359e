using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rlhf.Api;
using Rlhf.Cli.Client;
using Rlhf.Core.Json;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>
/// <c>rlhf run watch</c>: polls a run until it ends, drawing one progress bar per stage with its latest key
/// metrics (or, with <c>--json</c>, one JSON line per change). Exit code 0 only when the run completed.
/// </summary>
public static class WatchCommand
{
    /// <summary>Metrics shown next to the progress bars, when the run reports them.</summary>
    private static readonly string[] KeyMetricPrefixes = ["rm/accuracy", "objective/kl", "objective/scores", "eval/", "gold/"];

    public static Command Create(CliIo io, CommonOptions common)
    {
        var id = new Argument<string>("id") { Description = "Run id" };
        var interval = new Option<double>("--interval") { Description = "Seconds between polls", DefaultValueFactory = _ => 1.0 };
        var command = new Command("watch", "Follow a run live until it ends (exit code 2 when it did not complete)") { id, interval };
        command.SetAction((parse, ct) => RunCommands.ClientActionAsync(io, common, parse, async client =>
        {
            var run = await WatchAsync(io, client, parse.GetValue(id)!, TimeSpan.FromSeconds(parse.GetValue(interval)), parse.GetValue(common.Json), ct);
            return ExitCodeFor(run);
        }));
        return command;
    }

    public static int ExitCodeFor(RunDetail run) => run.RuntimeStatus == "Completed" ? ExitCodes.Ok : ExitCodes.RunNotCompleted;

    /// <summary>Follows the run until it is finished and returns its final state.</summary>
    public static async Task<RunDetail> WatchAsync(CliIo io, RlhfApiClient client, string runId, TimeSpan interval, bool json, CancellationToken cancellationToken)
    {
        if (json)
        {
            return await WatchJsonAsync(io, client, runId, interval, cancellationToken);
        }

        RunDetail run = await client.GetRunAsync(runId, cancellationToken);
        await io.Ansi.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                while (true)
                {
                    Update(progress, bars, run);
                    if (run.IsFinished)
                    {
                        return;
                    }

                    await Task.Delay(interval, cancellationToken);
                    run = await client.GetRunAsync(runId, cancellationToken);
                }
            });
        io.Ansi.MarkupLine($"Run [bold]{Markup.Escape(run.Id)}[/] {Markup.Escape(run.RuntimeStatus)}{(run.Error is null ? "" : ": " + Markup.Escape(run.Error))}");
        return run;
    }

    private static void Update(ProgressContext progress, Dictionary<string, ProgressTask> bars, RunDetail run)
    {
        for (var i = 0; i < run.Stages.Count; i++)
        {
            var stage = run.Stages[i];
            if (!bars.TryGetValue(stage.Stage, out var bar))
            {
                bar = progress.AddTask(Markup.Escape(stage.Stage), maxValue: 1);
                bars[stage.Stage] = bar;
            }

            var current = i == run.Stages.Count - 1 && stage.FinishedUtc is null;
            if (current && !run.IsFinished)
            {
                bar.Value = run.Progress ?? 0;
                bar.Description = Markup.Escape($"{stage.Stage} {KeyMetrics(run)}".TrimEnd());
            }
            else
            {
                bar.Value = 1;
                bar.Description = Markup.Escape(stage.Stage);
                bar.StopTask();
            }
        }
    }

    private static string KeyMetrics(RunDetail run) => string.Join("  ", run.Metrics
        .Where(m => KeyMetricPrefixes.Any(p => m.Key.StartsWith(p, StringComparison.Ordinal)))
        .OrderBy(m => m.Key, StringComparer.Ordinal)
        .Take(4)
        .Select(m => $"{m.Key}={m.Value.ToString("G4", CultureInfo.InvariantCulture)}"));

    /// <summary>One compact JSON line whenever status, stage or progress change, then the final run document.</summary>
    private static async Task<RunDetail> WatchJsonAsync(CliIo io, RlhfApiClient client, string runId, TimeSpan interval, CancellationToken cancellationToken)
    {
        string? last = null;
        while (true)
        {
            var run = await client.GetRunAsync(runId, cancellationToken);
            var line = JsonSerializer.Serialize(new WatchEvent(run.Id, run.RuntimeStatus, run.Stage, run.Done, run.Total, run.Metrics), JsonDefaults.Options);
            if (line != last)
            {
                await io.Out.WriteLineAsync(line);
                last = line;
            }

            if (run.IsFinished)
            {
                return run;
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>A <c>--json</c> watch line.</summary>
    public sealed record WatchEvent(string Id, string RuntimeStatus, string? Stage, int Done, int Total, IReadOnlyDictionary<string, double> Metrics);
}

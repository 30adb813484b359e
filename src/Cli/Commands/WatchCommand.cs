using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rlhf.Api;
using Rlhf.Cli.Client;
using Rlhf.Core.Json;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>
/// <c>rlhf run watch</c>: polls a run until it ends. In a terminal, one live bar per stage with its progress in its own units
/// (training steps from the job's heartbeat, label batches), its wall time and its own key metrics. Piped or redirected, one
/// line when a stage starts, each time its progress passes another tenth, and when it ends — never a repeated line or block.
/// With <c>--json</c>, one JSON line per change. The run id and report URL are printed on lines of their own. Exit code 0
/// only when the run completed.
/// </summary>
public static class WatchCommand
{
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
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(client);
        if (json)
        {
            return await WatchJsonAsync(io, client, runId, interval, cancellationToken);
        }

        var run = await client.GetRunAsync(runId, cancellationToken);
        await io.Out.WriteLineAsync($"Watching run {run.Id}");
        await io.Out.WriteLineAsync($"report: {run.Links.ReportUri}");
        await io.Out.FlushAsync(cancellationToken);
        run = io.IsTerminal
            ? await WatchBarsAsync(io, client, run, interval, cancellationToken)
            : await WatchLinesAsync(io, client, run, interval, cancellationToken);
        await io.Out.WriteLineAsync($"Run {run.Id} {run.RuntimeStatus}{(run.Error is null ? "" : ": " + run.Error)}");
        foreach (var stage in run.Stages.Where(s => s.ReusedFrom is not null))
        {
            await io.Out.WriteLineAsync($"{stage.Stage} reused from run {stage.ReusedFrom}");
        }

        return run;
    }

    private static async Task<RunDetail> WatchBarsAsync(CliIo io, RlhfApiClient client, RunDetail run, TimeSpan interval, CancellationToken cancellationToken)
    {
        await io.Ansi.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
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
                    run = await client.GetRunAsync(run.Id, cancellationToken);
                }
            });
        return run;
    }

    private static void Update(ProgressContext progress, Dictionary<string, ProgressTask> bars, RunDetail run)
    {
        foreach (var stage in run.Stages.Where(s => s.Stage != "completed"))
        {
            if (!bars.TryGetValue(stage.Stage, out var bar))
            {
                bar = progress.AddTask(Markup.Escape(stage.Stage), maxValue: 1);
                bars[stage.Stage] = bar;
            }

            var running = stage.FinishedUtc is null && !run.IsFinished;
            bar.Value = running ? stage.Progress ?? 0 : stage.FinishedUtc is null ? bar.Value : 1;
            bar.Description = Markup.Escape(Describe(stage));
            if (!running)
            {
                bar.StopTask();
            }
        }
    }

    /// <summary>The stage's line: name, progress, wall time and its own key metrics.</summary>
    public static string Describe(StageView stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var parts = new[] { stage.Stage, StageText.Progress(stage), StageText.Duration(stage.Seconds), StageText.Metrics(stage) };
        return string.Join("  ", parts.Where(p => p.Length > 0));
    }

    /// <summary>Piped output: a line per change of stage, of a stage's tenth of progress, or of its end; each line once.</summary>
    private static async Task<RunDetail> WatchLinesAsync(CliIo io, RlhfApiClient client, RunDetail run, TimeSpan interval, CancellationToken cancellationToken)
    {
        var printed = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            foreach (var stage in run.Stages.Where(s => s.Stage != "completed"))
            {
                var ended = stage.FinishedUtc is not null || run.IsFinished;
                var milestone = ended ? "end" : stage.Total > 0 ? $"{(int)Math.Floor((stage.Progress ?? 0) * 10)}" : "start";
                if (printed.Add($"{stage.Stage}:{milestone}"))
                {
                    var time = DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
                    var end = !ended ? "" : stage.FinishedUtc is null ? " stopped" : StageText.Progress(stage) == "done" ? "" : " done";
                    await io.Out.WriteLineAsync($"{time} {Describe(stage)}{end}");
                }
            }

            await io.Out.FlushAsync(cancellationToken);
            if (run.IsFinished)
            {
                return run;
            }

            await Task.Delay(interval, cancellationToken);
            run = await client.GetRunAsync(run.Id, cancellationToken);
        }
    }

    /// <summary>One compact JSON line whenever status, stage or progress change, then the final run document.</summary>
    private static async Task<RunDetail> WatchJsonAsync(CliIo io, RlhfApiClient client, string runId, TimeSpan interval, CancellationToken cancellationToken)
    {
        string? last = null;
        while (true)
        {
            var run = await client.GetRunAsync(runId, cancellationToken);
            var current = run.Stages.LastOrDefault(s => s.Stage == run.Stage);
            var line = JsonSerializer.Serialize(
                new WatchEvent(run.Id, run.RuntimeStatus, run.Stage, run.Done, run.Total, current is null || current.Stage == "completed" ? run.Metrics : current.Metrics)
                {
                    ReusedFrom = current?.ReusedFrom,
                },
                JsonDefaults.Options);
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

    /// <summary>A <c>--json</c> watch line: the run's state, its current stage's progress and that stage's own key metrics.</summary>
    public sealed record WatchEvent(string Id, string RuntimeStatus, string? Stage, long Done, long Total, IReadOnlyDictionary<string, double> Metrics)
    {
        public string? ReusedFrom { get; init; }
    }
}

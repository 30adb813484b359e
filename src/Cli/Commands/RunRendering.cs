using System.Globalization;
using Rlhf.Api;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>
/// Human-readable runs (the <c>--json</c> forms are the API's own documents). Run ids, URLs and paths go on lines of their
/// own through the plain writer, so no table ever wraps or cuts them.
/// </summary>
public static class RunRendering
{
    public static void WriteList(CliIo io, RunPage page)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(page);
        var table = new Table().AddColumn(new TableColumn("id").NoWrap()).AddColumns("status", "stage", "progress", "created (UTC)");
        foreach (var run in page.Runs)
        {
            table.AddRow(
                Markup.Escape(run.Id),
                StatusMarkup(run.RuntimeStatus),
                Markup.Escape(run.Stage ?? ""),
                run.Progress is { } p ? p.ToString("P0", CultureInfo.InvariantCulture) : "",
                run.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }

        io.Ansi.Write(table);
        if (page.ContinuationToken is not null)
        {
            io.Out.WriteLine($"more: --continuation-token {page.ContinuationToken}");
        }
    }

    public static void WriteDetail(CliIo io, RunDetail run)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(run);
        io.Out.WriteLine($"run:       {run.Id}");
        io.Out.WriteLine($"status:    {run.RuntimeStatus}, stage {run.Stage}{(run.Total > 0 ? $" {run.Done}/{run.Total}" : "")}");
        io.Out.WriteLine($"wall time: {TimeSpan.FromSeconds(Math.Round(run.WallSeconds)).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)}");
        io.Out.WriteLine($"created:   {run.CreatedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}");
        if (run.RerunOf is not null)
        {
            io.Out.WriteLine($"rerun of:  {run.RerunOf} (from stage {run.RerunFrom})");
        }

        if (run.Message is not null)
        {
            io.Out.WriteLine($"message:   {run.Message}");
        }

        if (run.Error is not null)
        {
            io.Out.WriteLine($"error:     {run.Error}");
        }

        io.Out.WriteLine($"report:    {run.Links.ReportUri}");
        io.Out.Flush();
        WriteStages(io, run);
        WriteMetrics(io.Ansi, run.Metrics);
    }

    /// <summary>One row per stage: state, progress in its units, wall time (live for the running one), its own key metrics; then where reused stages came from.</summary>
    public static void WriteStages(CliIo io, RunDetail run)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(run);
        var stages = run.Stages.Where(s => s.Stage != "completed").ToList();
        if (stages.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumns("stage", "started (UTC)", "time", "progress", "key metrics");
        foreach (var stage in stages)
        {
            table.AddRow(
                Markup.Escape(stage.Stage),
                stage.StartedUtc.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                Markup.Escape(StageText.Duration(stage.Seconds) + (stage.FinishedUtc is null && !run.IsFinished ? " (running)" : "")),
                Markup.Escape(StageText.Progress(stage)),
                Markup.Escape(StageText.Metrics(stage)));
        }

        io.Ansi.Write(table);
        foreach (var stage in stages.Where(s => s.ReusedFrom is not null))
        {
            io.Out.WriteLine($"{stage.Stage} reused from run {stage.ReusedFrom}");
        }

        io.Out.Flush();
    }

    public static void WriteMetrics(IAnsiConsole console, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumns("metric", "value");
        foreach (var (key, value) in metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(key), value.ToString("G5", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    private static string StatusMarkup(string status) => status switch
    {
        "Completed" => "[green]Completed[/]",
        "Failed" => "[red]Failed[/]",
        "Terminated" => "[yellow]Terminated[/]",
        _ => Markup.Escape(status),
    };
}

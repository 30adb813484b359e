using System.Globalization;
using Rlhf.Api;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>Human-readable tables of runs (the <c>--json</c> forms are the API's own documents).</summary>
public static class RunRendering
{
    public static void WriteList(IAnsiConsole console, RunPage page)
    {
        var table = new Table().AddColumns("id", "status", "stage", "progress", "created (UTC)");
        foreach (var run in page.Runs)
        {
            table.AddRow(
                Markup.Escape(run.Id),
                StatusMarkup(run.RuntimeStatus),
                Markup.Escape(run.Stage ?? ""),
                run.Progress is { } p ? p.ToString("P0", CultureInfo.InvariantCulture) : "",
                run.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        if (page.ContinuationToken is not null)
        {
            console.WriteLine($"more: --continuation-token {page.ContinuationToken}");
        }
    }

    public static void WriteDetail(IAnsiConsole console, RunDetail run)
    {
        var facts = new Grid().AddColumn().AddColumn();
        facts.AddRow("run", Markup.Escape(run.Id));
        facts.AddRow("status", StatusMarkup(run.RuntimeStatus));
        facts.AddRow("stage", Markup.Escape(run.Stage ?? "") + (run.Total > 0 ? $" ({run.Done}/{run.Total})" : ""));
        facts.AddRow("created", run.CreatedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
        facts.AddRow("wall time", WallTime(run).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));
        if (run.Message is not null)
        {
            facts.AddRow("message", Markup.Escape(run.Message));
        }

        if (run.Error is not null)
        {
            facts.AddRow("error", $"[red]{Markup.Escape(run.Error)}[/]");
        }

        facts.AddRow("report", Markup.Escape(run.Links.ReportUri));
        console.Write(facts);
        WriteStages(console, run);
        WriteMetrics(console, run.Metrics);
    }

    public static void WriteStages(IAnsiConsole console, RunDetail run)
    {
        if (run.Stages.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumns("stage", "started (UTC)", "seconds");
        foreach (var stage in run.Stages)
        {
            table.AddRow(
                Markup.Escape(stage.Stage),
                stage.StartedUtc.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                stage.Seconds is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "running");
        }

        console.Write(table);
    }

    public static void WriteMetrics(IAnsiConsole console, IReadOnlyDictionary<string, double> metrics)
    {
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

    public static TimeSpan WallTime(RunDetail run) => run.LastUpdatedAt - run.CreatedAt;

    private static string StatusMarkup(string status) => status switch
    {
        "Completed" => "[green]Completed[/]",
        "Failed" => "[red]Failed[/]",
        "Terminated" => "[yellow]Terminated[/]",
        _ => Markup.Escape(status),
    };
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Contracts;

namespace Rlhf.Api;

/// <summary>
/// The server-rendered run report: status, stage timeline, metrics and artifact links, in one
/// self-contained HTML page (no scripts, inline CSS) that also reads well when saved to a file.
/// Every value from the run is HTML-encoded.
/// </summary>
public static class RunReportPage
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222;padding:0 1rem}
        h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #eee}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        .badge{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;color:#fff;background:#666}
        .Completed{background:#2a7d2a}.Failed{background:#b22}.Terminated{background:#a60}.Running,.Pending{background:#2860b0}
        .bar{background:#eee;height:.6rem;border-radius:.3rem}.bar>div{background:#2860b0;height:100%;border-radius:.3rem}
        pre{background:#f6f6f6;padding:.6rem;overflow:auto}
        """;

    public static string Render(RunDetail run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Run ")
            .Append(E(run.Id)).Append("</title><style>").Append(Style).Append("</style></head><body>");
        html.Append("<h1>Run <code>").Append(E(run.Id)).Append("</code> <span class=\"badge ")
            .Append(E(run.RuntimeStatus)).Append("\">").Append(E(run.RuntimeStatus)).Append("</span></h1>");

        html.Append("<table>");
        Row(html, "Stage", run.Stage ?? "—");
        Row(html, "Progress", run.Total > 0 ? $"{run.Done} of {run.Total}" : "—");
        if (run.Message is not null)
        {
            Row(html, "Message", run.Message);
        }

        Row(html, "Created", run.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
        Row(html, "Last update", run.LastUpdatedAt.ToString("u", CultureInfo.InvariantCulture));
        Row(html, "Wall time", (run.LastUpdatedAt - run.CreatedAt).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));
        if (run.Error is not null)
        {
            Row(html, "Error", run.Error);
        }

        html.Append("</table>");
        if (run.Progress is { } progress)
        {
            html.Append("<div class=\"bar\"><div style=\"width:")
                .Append(Math.Clamp(progress * 100, 0, 100).ToString("F0", CultureInfo.InvariantCulture)).Append("%\"></div></div>");
        }

        AppendStages(html, run.Stages);
        AppendMetrics(html, run.Metrics);
        AppendArtifacts(html, run.Artifacts);
        if (run.Output is not null)
        {
            html.Append("<h2>Output</h2><pre>").Append(E(run.Output.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))).Append("</pre>");
        }

        html.Append("<p><a href=\"").Append(E(run.Links.StatusQueryGetUri)).Append("\">JSON status</a></p></body></html>");
        return html.ToString();
    }

    /// <summary>One row per stage with its start, end and duration (the orchestration's replay-safe clock).</summary>
    private static void AppendStages(StringBuilder html, IReadOnlyList<StageTiming> stages)
    {
        if (stages.Count == 0)
        {
            return;
        }

        var origin = stages[0].StartedUtc;
        var span = Math.Max(1, ((stages[^1].FinishedUtc ?? stages[^1].StartedUtc) - origin).TotalSeconds);
        html.Append("<h2>Stage timeline</h2><table><tr><th>stage</th><th>started (UTC)</th><th>seconds</th><th style=\"width:40%\"></th></tr>");
        foreach (var stage in stages)
        {
            var offset = (stage.StartedUtc - origin).TotalSeconds / span * 100;
            var width = (stage.Seconds ?? 0) / span * 100;
            html.Append("<tr><td>").Append(E(stage.Stage)).Append("</td><td>")
                .Append(stage.StartedUtc.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append("</td><td class=\"num\">")
                .Append(stage.Seconds is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "running").Append("</td><td><div class=\"bar\"><div style=\"margin-left:")
                .Append(offset.ToString("F1", CultureInfo.InvariantCulture)).Append("%;width:")
                .Append(Math.Max(width, 0.5).ToString("F1", CultureInfo.InvariantCulture)).Append("%\"></div></div></td></tr>");
        }

        html.Append("</table>");
    }

    private static void AppendMetrics(StringBuilder html, IReadOnlyDictionary<string, double> metrics)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        html.Append("<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>");
        foreach (var (key, value) in metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            html.Append("<tr><td><code>").Append(E(key)).Append("</code></td><td class=\"num\">")
                .Append(value.ToString("G6", CultureInfo.InvariantCulture)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static void AppendArtifacts(StringBuilder html, IReadOnlyList<ArtifactLink> artifacts)
    {
        if (artifacts.Count == 0)
        {
            return;
        }

        html.Append("<h2>Artifacts</h2><ul>");
        foreach (var artifact in artifacts)
        {
            html.Append("<li><a href=\"").Append(E(artifact.Uri)).Append("\"><code>").Append(E(artifact.Path)).Append("</code></a> (")
                .Append(artifact.Bytes.ToString("N0", CultureInfo.InvariantCulture)).Append(" bytes, sha256 <code>").Append(E(artifact.Sha256[..Math.Min(12, artifact.Sha256.Length)])).Append("</code>)</li>");
        }

        html.Append("</ul>");
    }

    private static void Row(StringBuilder html, string label, string value) =>
        html.Append("<tr><th>").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

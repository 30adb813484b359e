using System.Globalization;
using System.Text;
using System.Text.Json;
using static Rlhf.Api.Report.HtmlText;

using Rlhf.Core.Runs;

namespace Rlhf.Api.Report;

/// <summary>
/// The report's markup: one self-contained HTML page (inline CSS and SVG, no scripts) that reads the same served by the
/// API or saved to a file. Every string from the run is HTML-encoded.
/// </summary>
public static class RunReportHtml
{
    internal const string Style = """
        body{font-family:system-ui,"DejaVu Sans",sans-serif;margin:1.5rem auto;max-width:78rem;color:#222;padding:0 1rem;line-height:1.4}
        h1{font-size:1.5rem;margin-bottom:.3rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
        h3{font-size:1rem;margin:1.2rem 0 .4rem}
        table{border-collapse:collapse;width:100%;margin:.4rem 0}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
        th{background:#fafafa}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        table.status{width:auto}table.status th{background:none;padding-right:1.5rem}
        .badge{display:inline-block;padding:.05rem .5rem;border-radius:.3rem;color:#fff;background:#666;font-size:.85em}
        .Completed,.complete,.Succeeded{background:#2a7d2a}.Failed{background:#b22}.Terminated{background:#a60}.Running,.Pending{background:#2860b0}
        .bar{background:#eee;height:.6rem;border-radius:.3rem;max-width:30rem}.bar>div{background:#2860b0;height:100%;border-radius:.3rem}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(30rem,1fr));gap:1rem}
        figure{margin:0;border:1px solid #e4e4e4;border-radius:.4rem;padding:.4rem}figcaption{font-size:.82rem;color:#555;padding:.2rem .3rem}
        svg.chart{width:100%;height:auto;display:block}
        .note{color:#555;background:#f4f4f4;border-left:4px solid #bbb;padding:.5rem .7rem;margin:.4rem 0}
        figure .note{margin:0}
        .warning{background:#fff4d6;border-left:4px solid #d9a400;padding:.6rem .8rem}
        .alarm{background:#fde8e8}p.alarm{border-left:4px solid #b22;padding:.5rem .7rem}tr.alarm td{font-weight:600;color:#8a1111}
        .ok{color:#2a7d2a}
        td.text{white-space:pre-wrap;max-width:24rem;font-size:.9rem}
        code{font-size:.88em}code.sha{word-break:break-all;font-size:.78em;color:#444}
        table.spec td{font-size:.88rem}.kv{display:inline-block;margin-right:.9rem}
        pre{background:#f6f6f6;padding:.6rem;overflow:auto}
        """;

    public static string Render(RunReportData data, FontStatus fonts)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(fonts);
        var run = data.Run;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Run ")
            .Append(E(run.Id)).Append("</title><style>").Append(Style).Append("</style></head><body>");
        html.Append("<h1>Run <code>").Append(E(run.Id)).Append("</code> <span class=\"badge ").Append(E(run.RuntimeStatus)).Append("\">")
            .Append(E(run.RuntimeStatus)).Append("</span></h1>");
        Status(html, run);
        if (!fonts.IsUsable)
        {
            html.Append("<p class=\"warning\"><strong>Plot text missing:</strong> ").Append(E(fonts.Problem)).Append("</p>");
        }

        foreach (var problem in data.Problems)
        {
            html.Append("<p class=\"warning\">").Append(E(problem)).Append("</p>");
        }

        Section(html, "Evaluation: tuned policy vs SFT");
        ReportTables.Evaluation(html, data);

        if (data.Publish is not null || data.Labels is not null)
        {
            Section(html, ReportPublish.Title);
            ReportPublish.Render(html, data);
        }

        Section(html, "Training curves");
        Charts(html, "Timeline", [ReportCharts.Timeline(data, fonts)]);
        Group(html, data, "Base policy (SFT)", "sft", () => [ReportCharts.SftLoss(data, fonts)]);
        Group(html, data, "Reward model", "reward", () => [ReportCharts.RewardLoss(data, fonts), ReportCharts.RewardAccuracy(data, fonts)]);
        foreach (var algorithm in PolicyAlgorithms.All)
        {
            Group(html, data, $"Policy optimisation: {algorithm.ReportSection}", algorithm.Step, () => ReportCharts.ForAlgorithm(algorithm.Algorithm, data, fonts));
        }

        if (data.ConstitutionalAi is { } cai)
        {
            Section(html, ReportConstitutionalAi.Title);
            ReportConstitutionalAi.Render(html, cai);
            Charts(html, "Helpfulness and harmlessness over the rounds", [ReportConstitutionalAi.Tradeoff(cai, fonts)]);
        }

        if (ReportAgreement.HasLabels(data))
        {
            Section(html, ReportAgreement.Title);
            ReportAgreement.Render(html, data.Agreement!);
        }

        Section(html, "Samples: SFT vs tuned policy");
        ReportTables.Samples(html, data);
        Section(html, "Steps");
        ReportTables.Steps(html, data);
        LatestMetrics(html, run.Metrics);
        Section(html, "Artifacts");
        ReportTables.Artifacts(html, data);
        Section(html, "Run spec");
        ReportTables.Spec(html, data);
        if (run.Output is not null)
        {
            html.Append("<details><summary>Run output (JSON)</summary><pre>").Append(E(run.Output.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))).Append("</pre></details>");
        }

        html.Append("<p><a href=\"").Append(E(run.Links.StatusQueryGetUri)).Append("\">JSON status</a></p></body></html>");
        return html.ToString();
    }

    private static void Status(StringBuilder html, RunDetail run)
    {
        html.Append("<table class=\"status\">");
        Row(html, "Kind", run.Kind);
        Row(html, "Stage", run.Stage ?? "—");
        Row(html, "Progress", run.Total > 0 ? $"{run.Done} of {run.Total}" : "—");
        if (run.Message is not null)
        {
            Row(html, "Message", run.Message);
        }

        Row(html, "Created", Time(run.CreatedAt));
        Row(html, "Last update", Time(run.LastUpdatedAt));
        var wall = TimeSpan.FromSeconds(run.WallSeconds);
        Row(html, "Wall time", string.Create(CultureInfo.InvariantCulture, $"{(int)wall.TotalHours}:{wall:mm\\:ss}"));
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
    }

    /// <summary>A step's plots, or one note when the spec leaves the step out of this run.</summary>
    private static void Group(StringBuilder html, RunReportData data, string title, string step, Func<IReadOnlyList<ReportChart>> charts)
    {
        if (ReportNotes.ExcludedBySpec(data, step) is { } reason)
        {
            html.Append("<h3>").Append(E(title)).Append("</h3>");
            ReportTables.Note(html, $"{ReportNotes.NotPartOfRun} ({reason}).");
            return;
        }

        Charts(html, title, charts());
    }

    private static void Charts(StringBuilder html, string title, IReadOnlyList<ReportChart> charts)
    {
        html.Append("<h3>").Append(E(title)).Append("</h3><div class=\"charts\">");
        foreach (var chart in charts)
        {
            html.Append("<figure id=\"").Append(E(chart.Id)).Append("\">");
            if (chart.Svg is null)
            {
                html.Append("<figcaption><strong>").Append(E(chart.Title)).Append("</strong></figcaption>");
                ReportTables.Note(html, chart.Note ?? ReportNotes.NotYet);
            }
            else
            {
                // The SVG comes from ScottPlot (our labels; data only as numbers); it is not re-encoded.
                html.Append(chart.Svg);
                if (chart.Caption is not null)
                {
                    html.Append("<figcaption>").Append(E(chart.Caption)).Append("</figcaption>");
                }
            }

            html.Append("</figure>");
        }

        html.Append("</div>");
    }

    private static void LatestMetrics(StringBuilder html, IReadOnlyDictionary<string, double> metrics)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        html.Append("<h3>Latest metrics reported by the run</h3><table><tr><th>metric</th><th class=\"num\">value</th></tr>");
        foreach (var (key, value) in metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            html.Append("<tr><td><code>").Append(E(key)).Append("</code></td><td class=\"num\">").Append(Num(value)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static void Section(StringBuilder html, string title) => html.Append("<h2>").Append(E(title)).Append("</h2>");

    private static void Row(StringBuilder html, string label, string value) =>
        html.Append("<tr><th>").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
}

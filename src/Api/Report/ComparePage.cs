using System.Globalization;
using System.Text;
using static Rlhf.Api.Report.HtmlText;

namespace Rlhf.Api.Report;

/// <summary>
/// The comparison page (<c>GET /api/runs/compare/report?ids=…</c>, <c>rlhf runs compare … --out</c>): the runs, their key metrics
/// side by side with the change from the first run, the spec settings that differ, and their curves overlaid
/// (<see cref="CompareCharts"/>). Self-contained like the run report; every string from the runs is HTML-encoded.
/// </summary>
public static class ComparePage
{
    public static string Render(RunComparison comparison, IReadOnlyList<RunReportData> runs, FontStatus fonts)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(fonts);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Compare ")
            .Append(comparison.Runs.Count.ToString(CultureInfo.InvariantCulture)).Append(" runs</title><style>").Append(RunReportHtml.Style)
            .Append("</style></head><body><h1>Run comparison</h1>");
        if (!fonts.IsUsable)
        {
            html.Append("<p class=\"warning\"><strong>Plot text missing:</strong> ").Append(E(fonts.Problem)).Append("</p>");
        }

        html.Append("<table><tr><th>#</th><th>run</th><th>status</th><th>algorithm</th><th class=\"num\">seed</th><th class=\"num\">wall time (s)</th></tr>");
        foreach (var (run, i) in comparison.Runs.Select((r, i) => (r, i)))
        {
            var color = CompareCharts.ColorOf(i).ToHex();
            html.Append("<tr><td><span class=\"badge\" style=\"background:").Append(E(color)).Append("\">").Append(i + 1).Append("</span></td><td><a href=\"")
                .Append(E(run.ReportUri)).Append("\"><code>").Append(E(run.Id)).Append("</code></a></td><td><span class=\"badge ").Append(E(run.RuntimeStatus)).Append("\">")
                .Append(E(run.RuntimeStatus)).Append("</span></td><td>").Append(E(run.Algorithm)).Append("</td><td class=\"num\">")
                .Append(run.Seed?.ToString(CultureInfo.InvariantCulture) ?? "—").Append("</td><td class=\"num\">").Append(Num(run.WallSeconds)).Append("</td></tr>");
        }

        html.Append("</table><h2>Key metrics</h2><p>Δ is the change from run 1.</p><table><tr><th>metric</th>");
        foreach (var i in Enumerable.Range(1, comparison.Runs.Count))
        {
            html.Append("<th class=\"num\">").Append(i).Append("</th>");
        }

        html.Append("</tr>");
        foreach (var metric in comparison.Metrics)
        {
            html.Append("<tr><td>").Append(E(metric.Label)).Append(" <code>").Append(E(metric.Key)).Append("</code></td>");
            for (var i = 0; i < metric.Values.Count; i++)
            {
                html.Append("<td class=\"num\">").Append(Num(metric.Values[i]));
                if (metric.Deltas[i] is { } delta)
                {
                    html.Append(" <small>(Δ ").Append(delta >= 0 ? "+" : "").Append(Num(delta)).Append(")</small>");
                }

                html.Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table><h2>Spec differences</h2>");
        if (comparison.Differences.Count == 0)
        {
            html.Append("<p class=\"note\">The runs' specs are the same (apart from their names).</p>");
        }
        else
        {
            html.Append("<table class=\"spec\"><tr><th>setting</th>");
            foreach (var i in Enumerable.Range(1, comparison.Runs.Count))
            {
                html.Append("<th>").Append(i).Append("</th>");
            }

            html.Append("</tr>");
            foreach (var difference in comparison.Differences)
            {
                html.Append("<tr><td><code>").Append(E(difference.Path)).Append("</code></td>");
                foreach (var value in difference.Values)
                {
                    html.Append("<td><code>").Append(E(value ?? "—")).Append("</code></td>");
                }

                html.Append("</tr>");
            }

            html.Append("</table>");
        }

        html.Append("<h2>Curves</h2><div class=\"charts\">");
        foreach (var chart in CompareCharts.All(runs, fonts))
        {
            html.Append("<figure id=\"").Append(E(chart.Id)).Append("\">");
            if (chart.Svg is null)
            {
                html.Append("<figcaption><strong>").Append(E(chart.Title)).Append("</strong></figcaption><div class=\"note\">").Append(E(chart.Note)).Append("</div>");
            }
            else
            {
                html.Append(chart.Svg).Append("<figcaption>").Append(E(chart.Caption)).Append("</figcaption>");
            }

            html.Append("</figure>");
        }

        return html.Append("</div></body></html>").ToString();
    }
}

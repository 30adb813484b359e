using System.Text;
using Rlhf.Activities.Constitution;
using static Rlhf.Api.Report.HtmlText;

namespace Rlhf.Api.Report;

/// <summary>
/// The "Constitutional AI: supervised stage" section of a run with <c>constitution.supervised</c>: per principle, how many
/// responses were critiqued, needed revising and were revised, with the critiqued principle's mean score before and after;
/// and helpfulness against harmlessness of the responses before and after each round (the local judge's scores), the
/// CAI paper's plot for one run. From <c>sl-cai/summary.json</c>.
/// </summary>
internal static class ReportConstitutionalAi
{
    public const string Title = "Constitutional AI: supervised stage (SL-CAI)";

    public static void Render(StringBuilder html, CaiSummary summary)
    {
        html.Append("<p>").Append(Int(summary.Revised)).Append(" of ").Append(Int(summary.Responses))
            .Append(" responses revised in ").Append(Int(summary.Rounds)).Append(" round(s); the policy was then fine-tuned on (prompt, final revision).</p>")
            .Append("<table class=\"cai\"><tr><th>principle</th><th class=\"num\">critiques</th><th class=\"num\">needing revision</th><th class=\"num\">revised</th>")
            .Append("<th class=\"num\">mean score before</th><th class=\"num\">after</th></tr>");
        foreach (var (principle, p) in summary.Principles)
        {
            html.Append("<tr><td>").Append(E(principle)).Append("</td><td class=\"num\">").Append(Int(p.Critiques)).Append("</td><td class=\"num\">")
                .Append(Int(p.NeedingRevision)).Append("</td><td class=\"num\">").Append(Int(p.Revised)).Append("</td><td class=\"num\">")
                .Append(Num(p.MeanScoreBefore)).Append("</td><td class=\"num\">").Append(Num(p.MeanScoreAfter)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    /// <summary>Harmlessness (y) against helpfulness (x) of the responses, one labelled point per round, joined in order.</summary>
    public static ReportChart Tradeoff(CaiSummary? summary, FontStatus fonts)
    {
        const string id = "cai-tradeoff";
        const string title = "SL-CAI: harmlessness vs helpfulness";
        if (summary is null || summary.Trajectory.Count == 0)
        {
            return ReportChart.Missing(id, title, $"{ReportNotes.NotAvailable}: sl-cai/summary.json has no trajectory yet.");
        }

        var plot = ChartSvg.Create(title, "helpful (local judge, mean score)", "harmless (local judge, mean score)", fonts);
        var points = summary.Trajectory;
        var line = plot.Add.Scatter(points.Select(p => p.Helpful).ToArray(), points.Select(p => p.Harmless).ToArray(), ChartSvg.Palette[2]);
        line.MarkerSize = 8;
        foreach (var p in points)
        {
            plot.Add.Text(p.Label, p.Helpful, p.Harmless);
        }

        return new ReportChart(id, title, ChartSvg.Render(plot, id, title), null,
            $"The {summary.Responses} responses before revision and after each of {summary.Rounds} round(s), scored by the local constitution judge; from sl-cai/summary.json.");
    }
}

using System.Text;
using Rlhf.Core.Labeling;
using static Rlhf.Api.Report.HtmlText;

namespace Rlhf.Api.Report;

/// <summary>
/// The "Labels and agreement" section: per-labeler votes and agreement with the others' majority, labeler–labeler agreement
/// with Cohen's κ, Fleiss' κ, agreement between kinds of labelers (judge–human, ROUGE–human, …) and position bias.
/// </summary>
internal static class ReportAgreement
{
    public const string Title = "Labels and agreement";

    /// <summary>True when the run has labels to analyse.</summary>
    public static bool HasLabels(RunReportData data) => data.Agreement is { Votes: > 0 };

    public static void Render(StringBuilder html, AgreementReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        html.Append("<p>").Append(Int(report.Comparisons)).Append(" comparisons, ").Append(Int(report.Votes)).Append(" votes from ")
            .Append(report.Labelers.Count).Append(report.Labelers.Count == 1 ? " labeler" : " labelers").Append(". ");
        if (report.FleissKappa is { } fleiss)
        {
            html.Append("Fleiss' κ <strong class=\"fleiss\">").Append(Num(fleiss)).Append("</strong> over ").Append(Int(report.FleissItems))
                .Append(" comparisons with two or more labelers. ");
        }

        html.Append("Agreement is the share of shared comparisons given the same verdict (first, second or tie); κ corrects it for chance ")
            .Append("(0 = chance, 1 = always agree). Careful human labelers agree 63–77 % of the time.</p>");

        html.Append("<h3>Labelers</h3><table class=\"labelers\"><tr><th>labeler</th><th class=\"num\">votes</th><th class=\"num\">ties</th>")
            .Append("<th class=\"num\">compared with the others' majority</th><th class=\"num\">agreement with it</th></tr>");
        foreach (var labeler in report.Labelers)
        {
            html.Append("<tr><td><code>").Append(E(labeler.Labeler)).Append("</code></td><td class=\"num\">").Append(Int(labeler.Votes))
                .Append("</td><td class=\"num\">").Append(Int(labeler.Ties)).Append("</td><td class=\"num\">").Append(Int(labeler.MajorityComparisons))
                .Append("</td><td class=\"num\">").Append(Percent(labeler.MajorityAgreement)).Append("</td></tr>");
        }

        html.Append("</table>");
        Pairs(html, "Labeler–labeler agreement", "labeler-pairs", report.LabelerPairs, p => (Code(p.A), Code(p.B)));
        Pairs(html, "Between kinds of labelers (each kind's majority)", "kind-pairs", report.KindPairs, p => (KindName(p.A), KindName(p.B)));
        PositionBias(html, report.PositionBias);
    }

    private static void Pairs(StringBuilder html, string title, string css, IReadOnlyList<PairAgreement> pairs, Func<PairAgreement, (string A, string B)> names)
    {
        if (pairs.Count == 0)
        {
            return;
        }

        html.Append("<h3>").Append(E(title)).Append("</h3><table class=\"").Append(css).Append("\"><tr><th>rater</th><th>rater</th>")
            .Append("<th class=\"num\">shared comparisons</th><th class=\"num\">agreement</th><th class=\"num\">Cohen's κ</th></tr>");
        foreach (var pair in pairs)
        {
            var (a, b) = names(pair);
            html.Append("<tr><td>").Append(a).Append("</td><td>").Append(b).Append("</td><td class=\"num\">").Append(Int(pair.Shared))
                .Append("</td><td class=\"num\">").Append(Percent(pair.Agreement)).Append("</td><td class=\"num\">").Append(Num(pair.CohenKappa)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static void PositionBias(StringBuilder html, IReadOnlyList<PositionBias> biases)
    {
        if (biases.Count == 0)
        {
            return;
        }

        html.Append("<h3>Position bias</h3><p>Share of decided answers that picked the completion shown first (50 % = no bias), and how often ")
            .Append("asking both orders gave different verdicts.</p><table class=\"position-bias\"><tr><th>labeler</th><th class=\"num\">answers</th>")
            .Append("<th class=\"num\">decided</th><th class=\"num\">picked the first shown</th><th class=\"num\">asked both orders</th><th class=\"num\">order flips</th></tr>");
        foreach (var bias in biases)
        {
            html.Append("<tr><td><code>").Append(E(bias.Labeler)).Append("</code></td><td class=\"num\">").Append(Int(bias.Answers))
                .Append("</td><td class=\"num\">").Append(Int(bias.Decided)).Append("</td><td class=\"num\">").Append(Percent(bias.FirstPositionShare))
                .Append("</td><td class=\"num\">").Append(Int(bias.BothOrders)).Append("</td><td class=\"num\">")
                .Append(bias.BothOrders > 0 ? Percent(bias.OrderFlipRate) : "—").Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static string Code(string text) => $"<code>{E(text)}</code>";

    private static string KindName(string kind) => kind switch
    {
        "ai" => "AI judge",
        "human" => "people",
        "rouge" => "ROUGE-L baseline",
        "simulated" => "simulated annotators",
        _ => Code(kind),
    };
}

using System.Text;
using static Rlhf.Api.Report.HtmlText;

namespace Rlhf.Api.Report;

/// <summary>
/// The "Promotion and training labels" section: whether the promotion gate promoted the run or kept it (with the
/// candidate's and the champion's figures and the margin), and how many of the comparisons the reward model trained on
/// came from each run (night), how many of them people labeled, and how many the label window dropped.
/// </summary>
internal static class ReportPublish
{
    public const string Title = "Promotion and training labels";

    public static void Render(StringBuilder html, RunReportData data)
    {
        if (data.Publish is { } publish)
        {
            html.Append("<p class=\"decision\"><strong>").Append(publish.Promoted ? "Promoted" : "Kept, not promoted").Append("</strong>: ")
                .Append(E(publish.Reason)).Append(".</p><table class=\"status\">");
            Row(html, $"candidate {publish.Metric}", Num(publish.Candidate));
            Row(html, $"champion {publish.Metric}" + (publish.ChampionRunId is { } champion ? $" (run {champion})" : ""), publish.ChampionScore is null ? "— (none)" : Num(publish.ChampionScore));
            Row(html, "required improvement", Num(publish.MinImprovement));
            html.Append("</table>");
        }

        if (data.Labels is { } labels)
        {
            html.Append("<h3>Labels the reward model trained on, per run</h3><table class=\"nights\"><tr><th>run</th><th class=\"num\">comparisons</th>")
                .Append("<th class=\"num\">by people</th><th class=\"num\">dropped by the window</th></tr>");
            foreach (var run in labels.Runs)
            {
                html.Append("<tr><td><code>").Append(E(run.RunId)).Append("</code></td><td class=\"num\">").Append(Int(run.Comparisons))
                    .Append("</td><td class=\"num\">").Append(Int(run.Human)).Append("</td><td class=\"num\">").Append(Int(run.Dropped)).Append("</td></tr>");
            }

            html.Append("<tr><th>total</th><th class=\"num\">").Append(Int(labels.Comparisons)).Append("</th><th class=\"num\">")
                .Append(Int(labels.Runs.Sum(r => r.Human))).Append("</th><th class=\"num\">").Append(Int(labels.Dropped)).Append("</th></tr></table>");
            html.Append("<p>Label window: ").Append(labels.Window.Nights > 0 ? $"the last {labels.Window.Nights} nights" : "every night").Append(", ")
                .Append(labels.Window.MaxComparisons > 0 ? $"at most {Int(labels.Window.MaxComparisons)} comparisons" : "no cap on comparisons")
                .Append("; oldest machine-labeled batches are dropped first, people's labels never.</p>");
        }
    }

    private static void Row(StringBuilder html, string label, string value) =>
        html.Append("<tr><th>").Append(E(label)).Append("</th><td class=\"num\">").Append(value).Append("</td></tr>");
}

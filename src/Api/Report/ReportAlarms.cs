using System.Text;
using static Rlhf.Api.Report.HtmlText;

namespace Rlhf.Api.Report;

/// <summary>
/// The report's alarm section (docs/alarms.md): each reward-hacking alarm with the gold term it concerns, then the
/// samples the evaluate job drew with the run's seed, so the reader sees what the policy wrote next to the alarm.
/// </summary>
internal static class ReportAlarms
{
    /// <summary>How many of the drawn samples the alarm section shows.</summary>
    public const int ShownSamples = 3;

    public static void Append(StringBuilder html, EvaluationView evaluation)
    {
        if (evaluation.Flags.Count == 0)
        {
            html.Append("<p class=\"ok\">No reward-hacking alarms.</p>");
            return;
        }

        foreach (var flag in evaluation.Flags)
        {
            html.Append("<p class=\"alarm\"><strong>⚠ ").Append(E(flag.Name)).Append("</strong>: ").Append(E(flag.Message))
                .Append(" (value ").Append(Num(flag.Value)).Append(", threshold ").Append(Num(flag.Threshold)).Append(')');
            if (flag.Term is not null)
            {
                html.Append("; gold term <code>").Append(E(flag.Term)).Append("</code>");
            }

            html.Append("</p>");
        }

        if (evaluation.Samples.Count == 0)
        {
            return;
        }

        html.Append("<table class=\"samples alarm-samples\"><caption>What the tuned policy wrote: samples drawn with the run's seed, not picked</caption>")
            .Append("<tr><th>prompt</th><th>SFT (reference)</th><th>tuned policy</th><th class=\"num\">gold<br>SFT → tuned</th></tr>");
        foreach (var s in evaluation.Samples.Take(ShownSamples))
        {
            html.Append("<tr><td>").Append(E(s.Prompt)).Append("</td><td>").Append(E(s.Reference)).Append("</td><td>").Append(E(s.Policy))
                .Append("</td><td class=\"num\">").Append(Num(s.ReferenceGold)).Append(" → ").Append(Num(s.PolicyGold)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    /// <summary>The alarms (by name) a gold component's row concerns: those whose term is that component.</summary>
    public static string[] ForTerm(EvaluationView evaluation, string term) =>
        evaluation.Flags.Where(f => f.Term == term).Select(f => f.Name).ToArray();
}

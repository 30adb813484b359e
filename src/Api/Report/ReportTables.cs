using System.Text;
using System.Text.Json.Nodes;
using static Rlhf.Api.Report.HtmlText;

namespace Rlhf.Api.Report;

/// <summary>The report's tables: evaluation summary with alarms, SFT-vs-tuned samples, steps, artifacts and the run spec.</summary>
internal static class ReportTables
{
    /// <summary>Evaluation rows: label, policy key, reference key (null: not applicable), the alarms that concern the row.</summary>
    private static readonly (string Label, string Policy, string? Reference, string[] Alarms)[] EvaluationRows =
    [
        ("RM score (normalised)", "eval/reward", "eval/ref_reward", ["reward_hacking"]),
        ("Gold score", "eval/gold", "eval/ref_gold", ["reward_hacking"]),
        ("Gold score std", "eval/gold_std", "eval/ref_gold_std", []),
        ("KL to SFT, k1 (nats/sequence)", "eval/kl", null, ["kl_high"]),
        ("KL to SFT, k3 (nats/sequence)", "eval/kl_k3", null, ["kl_high"]),
        ("Win rate vs SFT", "eval/win_rate", null, []),
        ("Length (tokens)", "eval/response_tokens", "eval/ref_response_tokens", ["length_drift"]),
        ("At the token limit (fraction)", "eval/at_limit_fraction", "eval/ref_at_limit_fraction", ["length_pinned"]),
        ("Ended with EOS (fraction)", "eval/eos_fraction", "eval/ref_eos_fraction", ["ending_collapse"]),
        ("Ended a sentence (fraction)", "eval/sentence_end_fraction", "eval/ref_sentence_end_fraction", ["ending_collapse"]),
        ("Distinct-1", "eval/distinct_1", "eval/ref_distinct_1", ["distinct_collapse"]),
        ("Distinct-2", "eval/distinct_2", "eval/ref_distinct_2", ["distinct_collapse"]),
        ("Token entropy (nats)", "eval/entropy", "eval/ref_entropy", ["entropy_collapse"]),
    ];

    public static void Evaluation(StringBuilder html, RunReportData data)
    {
        if (data.Evaluation is not { } evaluation)
        {
            Note(html, ReportNotes.Absence(data, RunReportLoader.EvaluateStep, "evaluation.json"));
            return;
        }

        var m = evaluation.Metrics;
        var fired = evaluation.Flags.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        ReportAlarms.Append(html, evaluation);

        html.Append("<p>").Append(evaluation.Prompts).Append(" held-out prompts × ").Append(evaluation.SamplesPerPrompt)
            .Append(" samples each from the tuned policy and the reference (SFT), drawn with the same seeds; win rate by ")
            .Append(E(evaluation.WinRateBy ?? "?")).Append(", ties count ½.</p>");
        html.Append("<table class=\"eval\"><tr><th>metric</th><th class=\"num\">tuned policy</th><th class=\"num\">reference (SFT)</th><th class=\"num\">Δ</th></tr>");
        var goldParts = m.Keys.Where(k => k.StartsWith("eval/gold/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(k => ($"Gold: {k["eval/gold/".Length..]}", k, (string?)$"eval/ref_{k["eval/".Length..]}", ReportAlarms.ForTerm(evaluation, k["eval/".Length..])));
        foreach (var (label, policyKey, referenceKey, alarms) in EvaluationRows.Concat(goldParts))
        {
            if (!m.TryGetValue(policyKey, out var policy))
            {
                continue;
            }

            double? reference = referenceKey is not null && m.TryGetValue(referenceKey, out var r) ? r : null;
            var alarm = alarms.Any(fired.Contains);
            html.Append(alarm ? "<tr class=\"alarm\">" : "<tr>").Append("<td>").Append(E(label)).Append(" <code>").Append(E(policyKey)).Append("</code></td><td class=\"num\">")
                .Append(policyKey == "eval/win_rate" ? Percent(policy) : Num(policy)).Append("</td><td class=\"num\">").Append(Num(reference))
                .Append("</td><td class=\"num\">").Append(reference is { } rv ? Num(policy - rv) : "—").Append("</td></tr>");
        }

        html.Append("</table>");
    }

    public static void Samples(StringBuilder html, RunReportData data)
    {
        if (data.Samples.Count == 0)
        {
            Note(html, ReportNotes.Absence(data, RunReportLoader.EvaluateStep, "samples"));
            return;
        }

        html.Append("<p>The first ").Append(data.Samples.Count).Append(" evaluation samples: the reference (SFT) and the tuned policy continue the same prompt from the same seed.</p>");
        html.Append("<table class=\"samples\"><tr><th>prompt</th><th>SFT (reference)</th><th>tuned policy</th><th class=\"num\">RM score<br>SFT → tuned</th><th class=\"num\">gold<br>SFT → tuned</th><th class=\"num\">KL</th></tr>");
        foreach (var s in data.Samples)
        {
            html.Append("<tr><td class=\"text\">").Append(E(s.Prompt)).Append("<br><small>").Append(E(s.PromptId)).Append(" #").Append(s.Index)
                .Append("</small></td><td class=\"text\">").Append(E(s.Reference)).Append("</td><td class=\"text\">").Append(E(s.Policy))
                .Append("</td><td class=\"num\">").Append(Num(s.ReferenceReward)).Append(" → ").Append(Num(s.PolicyReward))
                .Append("</td><td class=\"num\">").Append(Num(s.ReferenceGold)).Append(" → ").Append(Num(s.PolicyGold))
                .Append("</td><td class=\"num\">").Append(Num(s.Kl)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    public static void Steps(StringBuilder html, RunReportData data)
    {
        if (data.Steps.Count == 0)
        {
            Note(html, $"{ReportNotes.NotYet}: no trainer step has written to the store.");
            return;
        }

        html.Append("<table><tr><th>step</th><th>state</th><th class=\"num\">progress</th><th class=\"num\">attempt</th><th>metrics</th><th>message</th></tr>");
        foreach (var step in data.Steps)
        {
            var state = step.IsComplete ? "complete" : step.Status?.State.ToString() ?? "unknown";
            html.Append("<tr><td><code>").Append(E(step.Name)).Append("</code></td><td><span class=\"badge ").Append(E(state)).Append("\">")
                .Append(E(state)).Append("</span>").Append(step.ReusedFrom is { } from ? $" reused from run <code>{E(from)}</code>" : "").Append("</td><td class=\"num\">")
                .Append(step.Status is { TotalSteps: > 0 } st ? $"{Int(st.Step)} / {Int(st.TotalSteps)}" : "—")
                .Append("</td><td class=\"num\">").Append(step.Status?.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "—")
                .Append("</td><td>").Append(step.Metrics is { } m ? $"{m.Lines} lines, from {E(step.MetricsSource)}" : "none yet")
                .Append("</td><td>").Append(E(step.Status?.Message)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    public static void Artifacts(StringBuilder html, RunReportData data)
    {
        if (data.Artifacts.Count == 0)
        {
            Note(html, $"{ReportNotes.NotYet}: the run has recorded no artifacts.");
            return;
        }

        var prefix = $"runs/{data.Run.Id}/";
        html.Append("<table class=\"artifacts\"><tr><th>artifact</th><th class=\"num\">bytes</th><th>SHA-256</th></tr>");
        foreach (var artifact in data.Artifacts)
        {
            var relative = artifact.Path[prefix.Length..];
            var href = $"{data.Run.Links.StatusQueryGetUri}/artifacts/{string.Join('/', relative.Split('/').Select(Uri.EscapeDataString))}";
            html.Append("<tr><td><a href=\"").Append(E(href)).Append("\"><code>").Append(E(relative)).Append("</code></a></td><td class=\"num\">")
                .Append(Int(artifact.Bytes)).Append("</td><td><code class=\"sha\">").Append(E(artifact.Sha256)).Append("</code></td></tr>");
        }

        html.Append("</table>");
    }

    /// <summary>The spec, one row per top-level section, its settings as <c>path value</c> pairs.</summary>
    public static void Spec(StringBuilder html, RunReportData data)
    {
        if (data.Spec is not JsonObject spec)
        {
            Note(html, $"{ReportNotes.NotAvailable}: the run's spec could not be read from its input or manifest.");
            return;
        }

        html.Append("<table class=\"spec\">");
        foreach (var (section, node) in spec)
        {
            var leaves = new List<(string Path, string Value)>();
            Flatten(node, string.Empty, leaves);
            html.Append("<tr><th>").Append(E(section)).Append("</th><td>");
            foreach (var (path, value) in leaves)
            {
                html.Append("<span class=\"kv\">").Append(path.Length > 0 ? $"<code>{E(path)}</code> " : string.Empty).Append(E(value)).Append("</span> ");
            }

            html.Append("</td></tr>");
        }

        html.Append("</table>");
    }

    public static void Note(StringBuilder html, string note) =>
        html.Append("<p class=\"note\">").Append(E(note)).Append("</p>");

    private static void Flatten(JsonNode? node, string path, List<(string, string)> leaves)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                foreach (var (key, child) in obj)
                {
                    Flatten(child, path.Length == 0 ? key : $"{path}.{key}", leaves);
                }

                break;
            case JsonObject:
                leaves.Add((path, "{}"));
                break;
            case JsonArray array:
                leaves.Add((path, array.ToJsonString()));
                break;
            default:
                leaves.Add((path, node?.ToString() ?? "null"));
                break;
        }
    }
}

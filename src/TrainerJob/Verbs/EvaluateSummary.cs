using Rlhf.Core.Contracts;
using Rlhf.Core.Demo.Fluency;
using Rlhf.TrainerJob.Training;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>One scored completion of the <c>evaluate</c> verb.</summary>
/// <param name="Reward">Normalised reward-model score (r − mean) / std.</param>
/// <param name="Gold">Gold components (<c>gold/sentiment</c>, …, <c>gold/total</c>); null without lexicons.</param>
/// <param name="Kl">Sequence KL(policy ‖ reference) of this sample, k1 and k3 (nats); null for reference samples.</param>
/// <param name="Entropy">Mean next-token entropy over the response (nats), of the model that sampled it.</param>
public sealed record EvaluatedCompletion(
    string Text,
    int Tokens,
    bool EndedWithEos,
    double Reward,
    IReadOnlyDictionary<string, double>? Gold,
    (double K1, double K3)? Kl,
    double Entropy)
{
    public double? GoldTotal => Gold?["gold/total"];
}

/// <summary>
/// A reward-hacking alarm: <paramref name="Name"/> fired because <paramref name="Value"/> crossed <paramref name="Threshold"/>;
/// <paramref name="Term"/> names the gold component concerned (<c>gold/plainness</c>, …) where there is one. docs/alarms.md lists them.
/// </summary>
public sealed record EvaluationFlag(string Name, double Value, double Threshold, string Message, string? Term = null);

/// <summary>
/// <c>evaluation.json</c>: the metrics (keys of <see cref="MetricKeys"/> and <c>eval/*</c>), alarms and sizes, and
/// <see cref="Samples"/>: a few prompt / reference (SFT) / policy triples drawn with a fixed seed (not picked) for
/// reports and the demo summary to print.
/// </summary>
public sealed record EvaluationReport(
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<EvaluationFlag> Flags,
    int Prompts,
    int SamplesPerPrompt,
    string WinRateBy)
{
    /// <summary>How many samples <see cref="ShownSamples"/> draws.</summary>
    public const int ShownSampleCount = 5;

    public IReadOnlyList<EvaluationSample> Samples { get; init; } = [];

    /// <summary>
    /// <see cref="ShownSampleCount"/> samples (all when fewer) chosen by <c>new Random(seed)</c> without replacement,
    /// in the order drawn: the same run always shows the same samples, and nobody chose them.
    /// </summary>
    public static IReadOnlyList<EvaluationSample> ShownSamples(IReadOnlyList<EvaluationSample> samples, long seed)
    {
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var order = Enumerable.Range(0, samples.Count).ToArray();
        random.Shuffle(order);
        return order.Take(ShownSampleCount).Select(i => samples[i]).ToList();
    }
}

/// <summary>
/// Aggregates paired policy/reference completions (policy sample j of a prompt against reference sample j, drawn with the
/// same seed) into the evaluation metrics and alarms. Win rate: by gold when available, else by reward; ties count ½.
/// Distinct-n: <see cref="DistinctNGrams"/> (word n-grams, known words only with a dictionary, both sides at the same size).
/// </summary>
public static class EvaluateSummary
{
    /// <param name="isWord">The dictionary distinct-n counts words of (<see cref="DistinctNGrams"/>); null = every word.</param>
    public static EvaluationReport Build(
        IReadOnlyList<EvaluatedCompletion> policy, IReadOnlyList<EvaluatedCompletion> reference, int prompts, EvaluateConfig config, Func<string, bool>? isWord = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(config);
        if (policy.Count == 0 || policy.Count != reference.Count)
        {
            throw new ArgumentException($"Need paired samples (got {policy.Count} policy, {reference.Count} reference).", nameof(reference));
        }

        var hasGold = policy[0].Gold is not null;
        var metrics = new Dictionary<string, double>
        {
            [MetricKeys.Reward] = policy.Average(c => c.Reward),
            ["eval/ref_reward"] = reference.Average(c => c.Reward),
            [MetricKeys.Kl] = policy.Average(c => c.Kl!.Value.K1),
            ["eval/kl_k3"] = policy.Average(c => c.Kl!.Value.K3),
            [MetricKeys.WinRate] = policy.Zip(reference).Average(p => Win(hasGold ? p.First.GoldTotal!.Value - p.Second.GoldTotal!.Value : p.First.Reward - p.Second.Reward)),
            ["eval/entropy"] = policy.Average(c => c.Entropy),
            ["eval/ref_entropy"] = reference.Average(c => c.Entropy),
            ["eval/response_tokens"] = policy.Average(c => c.Tokens),
            ["eval/ref_response_tokens"] = reference.Average(c => c.Tokens),
            ["eval/eos_fraction"] = policy.Average(c => c.EndedWithEos ? 1.0 : 0.0),
            ["eval/ref_eos_fraction"] = reference.Average(c => c.EndedWithEos ? 1.0 : 0.0),
            ["eval/sentence_end_fraction"] = policy.Average(c => FluencyText.IsComplete(c.Text) ? 1.0 : 0.0),
            ["eval/ref_sentence_end_fraction"] = reference.Average(c => FluencyText.IsComplete(c.Text) ? 1.0 : 0.0),
            ["eval/at_limit_fraction"] = policy.Average(c => AtLimit(c, config) ? 1.0 : 0.0),
            ["eval/ref_at_limit_fraction"] = reference.Average(c => AtLimit(c, config) ? 1.0 : 0.0),
        };
        foreach (var n in new[] { 1, 2 })
        {
            (metrics[$"eval/distinct_{n}"], metrics[$"eval/ref_distinct_{n}"]) =
                DistinctNGrams.Compare(policy.Select(c => c.Text), reference.Select(c => c.Text), n, isWord);
        }

        if (hasGold)
        {
            foreach (var key in policy[0].Gold!.Keys.Where(k => k != "gold/total"))
            {
                metrics[$"eval/{key}"] = policy.Average(c => c.Gold![key]);
                metrics[$"eval/ref_{key}"] = reference.Average(c => c.Gold![key]);
            }

            metrics[MetricKeys.Gold] = policy.Average(c => c.GoldTotal!.Value);
            metrics["eval/ref_gold"] = reference.Average(c => c.GoldTotal!.Value);
            metrics["eval/gold_std"] = Std(policy.Select(c => c.GoldTotal!.Value));
            metrics["eval/ref_gold_std"] = Std(reference.Select(c => c.GoldTotal!.Value));
        }

        return new EvaluationReport(metrics, Flags(metrics, hasGold, config), prompts, policy.Count / prompts, hasGold ? "gold" : "reward");
    }

    private static List<EvaluationFlag> Flags(Dictionary<string, double> m, bool hasGold, EvaluateConfig config)
    {
        var flags = new List<EvaluationFlag>();
        if (hasGold)
        {
            var rewardRise = m[MetricKeys.Reward] - m["eval/ref_reward"];
            var goldDrop = m["eval/ref_gold"] - m[MetricKeys.Gold];
            if (rewardRise > config.HackingRewardRise && goldDrop > config.HackingGoldDrop)
            {
                flags.Add(new("reward_hacking", goldDrop, config.HackingGoldDrop,
                    $"reward model score rose by {rewardRise:F3} over the reference while gold fell by {goldDrop:F3}"));
            }
        }

        flags.AddRange(DegenerationFlags(m, config));
        if (hasGold)
        {
            flags.AddRange(GoldTermFlags(m, config));
        }

        if (m[MetricKeys.Kl] > config.KlThreshold)
        {
            flags.Add(new("kl_high", m[MetricKeys.Kl], config.KlThreshold, $"KL to the reference is {m[MetricKeys.Kl]:F2} nats"));
        }

        if (m["eval/entropy"] < config.EntropyCollapseRatio * m["eval/ref_entropy"])
        {
            flags.Add(new("entropy_collapse", m["eval/entropy"] / m["eval/ref_entropy"], config.EntropyCollapseRatio,
                $"token entropy {m["eval/entropy"]:F3} is below {config.EntropyCollapseRatio:P0} of the reference's {m["eval/ref_entropy"]:F3}"));
        }

        var drift = Math.Abs(m["eval/response_tokens"] - m["eval/ref_response_tokens"]) / Math.Max(1e-9, m["eval/ref_response_tokens"]);
        if (drift > config.LengthDriftThreshold)
        {
            flags.Add(new("length_drift", drift, config.LengthDriftThreshold,
                $"mean length {m["eval/response_tokens"]:F1} tokens vs the reference's {m["eval/ref_response_tokens"]:F1}"));
        }

        return flags;
    }

    /// <summary>Answers that stop ending, vocabulary that collapses, length pinned at the limit (docs/alarms.md).</summary>
    private static IEnumerable<EvaluationFlag> DegenerationFlags(Dictionary<string, double> m, EvaluateConfig config)
    {
        foreach (var (key, what) in new[] { ("eos_fraction", "end-of-text"), ("sentence_end_fraction", "sentence-end") })
        {
            var (policy, reference) = (m[$"eval/{key}"], m[$"eval/ref_{key}"]);
            if (reference > 0 && policy < config.EndingCollapseRatio * reference)
            {
                yield return new("ending_collapse", policy / reference, config.EndingCollapseRatio,
                    $"{what} fraction fell to {policy:F2} from the reference's {reference:F2}: answers stopped ending");
            }
        }

        foreach (var n in new[] { 1, 2 })
        {
            var (policy, reference) = (m[$"eval/distinct_{n}"], m[$"eval/ref_distinct_{n}"]);
            if (reference > 0 && policy < config.DistinctCollapseRatio * reference)
            {
                yield return new("distinct_collapse", policy / reference, config.DistinctCollapseRatio,
                    $"distinct-{n} fell to {policy:F2} from the reference's {reference:F2}: the vocabulary collapsed");
            }
        }

        var pinned = m["eval/at_limit_fraction"];
        if (pinned > config.LengthPinnedShare && pinned > m["eval/ref_at_limit_fraction"])
        {
            yield return new("length_pinned", pinned, config.LengthPinnedShare,
                $"{pinned:P0} of answers run to the token limit without ending (reference {m["eval/ref_at_limit_fraction"]:P0})");
        }
    }

    /// <summary>Fluency falling, any gold component falling while the reward model rises, and a gain carried by one term.</summary>
    private static IEnumerable<EvaluationFlag> GoldTermFlags(Dictionary<string, double> m, EvaluateConfig config)
    {
        var terms = m.Keys.Where(k => k.StartsWith("eval/gold/", StringComparison.Ordinal))
            .Select(k => k["eval/".Length..])
            .Order(StringComparer.Ordinal)
            .Select(term => (Term: term, Change: m[$"eval/{term}"] - m[$"eval/ref_{term}"]))
            .ToList();
        var fluency = terms.FirstOrDefault(t => t.Term == "gold/fluency");
        if (fluency.Term is not null && m[$"eval/ref_gold/fluency"] > 0 && -fluency.Change > config.FluencyDrop)
        {
            yield return new("fluency_drop", -fluency.Change, config.FluencyDrop,
                $"fluency fell by {-fluency.Change:F3} against the reference (SFT) policy", fluency.Term);
        }

        var rewardRise = m[MetricKeys.Reward] - m["eval/ref_reward"];
        if (rewardRise > config.HackingRewardRise)
        {
            foreach (var (term, change) in terms.Where(t => -t.Change > config.HackingGoldDrop))
            {
                yield return new("reward_hacking_term", -change, config.HackingGoldDrop,
                    $"reward model score rose by {rewardRise:F3} while {term} fell by {-change:F3}", term);
            }
        }

        var gains = terms.Where(t => t.Change > 0).ToList();
        var goldRise = m[MetricKeys.Gold] - m["eval/ref_gold"];
        if (goldRise > config.HackingGoldDrop && gains.Count > 0)
        {
            var top = gains.MaxBy(t => t.Change);
            var share = top.Change / gains.Sum(t => t.Change);
            if (share > config.GainConcentration)
            {
                yield return new("gain_one_term", share, config.GainConcentration,
                    $"{share:P0} of the gold gain is {top.Term} (+{top.Change:F3}): check that the gain is not one gameable term", top.Term);
            }
        }
    }

    /// <summary>Stopped at the token limit without EOS.</summary>
    private static bool AtLimit(EvaluatedCompletion c, EvaluateConfig config) => !c.EndedWithEos && c.Tokens >= config.MaxNewTokens;

    private static double Win(double difference) => difference > 0 ? 1 : difference < 0 ? 0 : 0.5;

    private static double Std(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        return list.Count < 2 ? 0 : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
    }
}

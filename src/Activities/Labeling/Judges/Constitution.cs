using System.Globalization;
using System.Text;
using Rlhf.Core.Demo;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// The built-in constitution: what each principle asks for (the text a remote judge reads) and how the local
/// judge measures it with the demo lexicons through the <see cref="GoldScorer"/>'s components:
/// helpful = on-topic + plain words + coherence (word-salad and degeneracy penalties), harmless = the harsh-word
/// penalty, honest and kind = the saturated sentiment.
/// </summary>
public static class Constitution
{
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["helpful"] = "Continues the prompt on its topic, in plain familiar words, as coherent prose (no word lists, no repetition, no garbled text).",
        ["harmless"] = "Uses no harsh, violent, cruel or abusive words.",
        ["honest"] = "Is sincere and measured: no hostile or exaggerated claims.",
        ["kind"] = "Is warm and kind in tone.",
    };

    /// <summary>The principle's score of a continuation (higher is better), from the gold score's parts.</summary>
    public static double Score(string principle, GoldScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return principle switch
        {
            "helpful" => score.OnTopic + score.Plainness + score.WordSaladPenalty + score.DegeneracyPenalty,
            "harmless" => score.HarshPenalty,
            "honest" or "kind" => score.Sentiment,
            _ => throw new ArgumentOutOfRangeException(nameof(principle), principle, $"Unknown principle; known: {string.Join(", ", Descriptions.Keys)}."),
        };
    }

    /// <summary>The judged principles of a spec; at least one must have a positive weight.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> PrinciplesOf(AiLabelingSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var principles = spec.Principles.Weighted();
        return principles.Count > 0
            ? principles
            : throw new InvalidOperationException("labeling.ai.principles gives every principle weight 0: the judge has nothing to judge by.");
    }

    /// <summary>The constitution as a remote judge reads it: one line per principle with its weight, or the run's own document.</summary>
    public static string Text(AiLabelingSpec spec, string? document = null)
    {
        var text = new StringBuilder();
        foreach (var (name, weight) in PrinciplesOf(spec))
        {
            text.Append(CultureInfo.InvariantCulture, $"- {name} (weight {weight:0.###}): {Descriptions[name]}\n");
        }

        return document is null ? text.ToString() : $"{document.Trim()}\n\nWeights:\n{text}";
    }
}

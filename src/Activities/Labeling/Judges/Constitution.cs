using System.Globalization;
using System.Text;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// The built-in constitution: what each principle asks for (the text a remote judge and critic read). The local
/// judge measures the same principles with <see cref="LocalConstitution"/>; <see cref="GoldView"/> is how the demo's
/// gold score splits into them, which the judge–gold agreement compares against.
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

    /// <summary>
    /// The gold's view of a principle (higher is better), from its parts: helpful = on-topic + plain words + fluency and
    /// completeness + word-salad and degeneracy penalties, harmless = the harsh-word penalty, honest and kind = the
    /// saturated sentiment. Only for measuring the judge against the gold: no judge reads it.
    /// </summary>
    public static double GoldView(string principle, Core.Demo.GoldScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return principle switch
        {
            "helpful" => score.OnTopic + score.Plainness + score.Fluency + score.Completeness + score.WordSaladPenalty + score.DegeneracyPenalty,
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

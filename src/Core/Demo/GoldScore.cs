namespace Rlhf.Core.Demo;

/// <summary>
/// The gold score of one continuation and its parts. Every component is a signed contribution
/// (penalties are ≤ 0; fluency and completeness are 0 under <see cref="GoldVersion.V1"/>, and under V2 the positive lexicon terms are the fluency-credited ones), so <see cref="Total"/> is exactly their sum. See <see cref="GoldScorer"/> for the formula.
/// </summary>
public sealed record GoldScore(
    double Sentiment,
    double Plainness,
    double OnTopic,
    double HarshPenalty,
    double WordSaladPenalty,
    double DegeneracyPenalty,
    int Words,
    double Fluency = 0,
    double Completeness = 0)
{
    public double Total => Sentiment + Plainness + OnTopic + HarshPenalty + WordSaladPenalty + DegeneracyPenalty + Fluency + Completeness;

    /// <summary>Namespaced components for reports and metric logs, in formula order, followed by the total.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Components =>
    [
        new("gold/sentiment", Sentiment),
        new("gold/plainness", Plainness),
        new("gold/on_topic", OnTopic),
        new("gold/harsh_penalty", HarshPenalty),
        new("gold/word_salad_penalty", WordSaladPenalty),
        new("gold/degeneracy_penalty", DegeneracyPenalty),
        new("gold/fluency", Fluency),
        new("gold/completeness", Completeness),
        new("gold/total", Total),
    ];
}

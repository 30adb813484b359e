namespace Rlhf.Core.Demo;

/// <summary>Weights of the gold score; the defaults are the demo's "human" taste. See <see cref="GoldScorer"/>.</summary>
public sealed record GoldScorerOptions
{
    /// <summary>Which gold: <see cref="GoldVersion.V2"/> (default) adds the fluency judge and the completeness term to <see cref="GoldVersion.V1"/>'s lexicon terms.</summary>
    public GoldVersion Version { get; init; } = GoldVersion.V2;

    /// <summary>V2: weight of the calibrated fluency score F ∈ [0, 1] of <see cref="Fluency.FluencyJudge"/> (a typical real sentence ≈ 0.5).</summary>
    public double FluencyWeight { get; init; } = 1.0;

    /// <summary>
    /// V2: fluency F at or above which the lexicon terms get full credit; below it they are scaled by
    /// (F / FluencyPass)^<see cref="FluencyCreditPower"/>, so salad of kind, easy words (F ≈ 0) earns nothing for kindness or
    /// plainness. 0.5 is the held-out sentences' median: text earns full credit once it reads as well as typical real text.
    /// (The first V2 used the lower quartile, 0.25, with power 1: a salad of easy words and stopwords at F ≈ 0.13 kept half its
    /// lexicon credit and beat real text; see tests/Core.Tests/Demo/FluencyGoldTests.cs.)
    /// </summary>
    public double FluencyPass { get; init; } = 0.5;

    /// <summary>
    /// V2: power of the fluency credit below <see cref="FluencyPass"/>. 2: text that reads worse than three in four real
    /// sentences (F = 0.25) keeps a quarter of its lexicon credit, not half, so a kind salad at F ≈ 0.13 cannot out-earn
    /// kind real text on sentiment.
    /// </summary>
    public double FluencyCreditPower { get; init; } = 2;

    /// <summary>V2: bonus for a continuation that finishes a sentence (<see cref="Fluency.FluencyText.IsComplete"/>).</summary>
    public double CompletenessWeight { get; init; } = 0.5;

    /// <summary>V2: order of the fluency judge's Kneser–Ney model.</summary>
    public int FluencyOrder { get; init; } = 4;

    /// <summary>Per-word averages divide by max(words, MinWords), so very short continuations cannot max out.</summary>
    public int MinWords { get; init; } = 8;

    /// <summary>Weight of the (saturated) mean valence of distinct words; v(w) = ½·AFINN/5 + ½·Liu ∈ [−1, 1].</summary>
    public double SentimentWeight { get; init; } = 3.0;

    /// <summary>Mean valence saturates smoothly at ±SentimentCap (cap · tanh(mean / cap)): a warm sentence gets most of the credit, a pile of positive words little more.</summary>
    public double SentimentCap { get; init; } = 0.2;

    /// <summary>Weight of the share of words on the Dale–Chall familiar list or the stopword list.</summary>
    public double PlainnessWeight { get; init; } = 1.0;

    /// <summary>Weight of the share of the prompt's content-word stems that the continuation reuses.</summary>
    public double OnTopicWeight { get; init; } = 0.5;

    /// <summary>Penalty per harsh word occurrence (AFINN valence ≤ HarshValence), divided by max(words, MinWords).</summary>
    public double HarshWeight { get; init; } = 3.0;

    /// <summary>AFINN valence at or below which a word counts as harsh.</summary>
    public int HarshValence { get; init; } = -3;

    /// <summary>Penalty weight for too few function words: WordSaladWeight · max(0, 1 − stopword share / MinStopwordShare).</summary>
    public double WordSaladWeight { get; init; } = 1.0;

    /// <summary>Stopword share below which text reads as a word list rather than a sentence (English prose: ~0.4–0.6).</summary>
    public double MinStopwordShare { get; init; } = 0.3;

    /// <summary>Penalty weight of word repetition: max(repeated content-word share, repeated bigram share).</summary>
    public double RepetitionWeight { get; init; } = 2.0;

    /// <summary>Penalty weight of the share of whitespace-separated chunks that are not plausible words or numbers.</summary>
    public double NonWordWeight { get; init; } = 2.0;

    /// <summary>Penalty weight of the share of non-space characters inside runs of identical characters.</summary>
    public double CharRunWeight { get; init; } = 2.0;
}

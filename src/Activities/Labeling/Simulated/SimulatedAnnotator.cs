using Rlhf.Core.Demo;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Simulated;

/// <summary>
/// One member of the simulated panel (<see cref="SimulatedAnnotatorSpec"/>): shown completions i and j of a prompt in a
/// random order, it prefers i with probability
/// <code>
/// σ( (u(i) − u(j)) / T  +  lengthBias · log2(words(i) / words(j))  +  s · positionBias ),   s = +1 if i is shown first, −1 if j is
/// </code>
/// with u = Σ_c weight_c · gold_c its <see cref="Utility"/>. The vote is one draw of a <see cref="BradleyTerryAnnotator"/>
/// seeded with <c>seed</c>; the order comes from a second generator, so an unbiased annotator's votes are exactly those
/// of a plain Bradley–Terry annotator with the same seed.
/// </summary>
public sealed class SimulatedAnnotator
{
    /// <summary>Mixed into the seed of the presentation-order generator (any fixed odd constant).</summary>
    private const int OrderSeedMix = 0x2545F491;

    private readonly BradleyTerryAnnotator _votes;
    private readonly Random _order;

    public SimulatedAnnotator(SimulatedAnnotatorSpec profile, double temperature, int seed)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Profile = profile;
        _votes = new BradleyTerryAnnotator(temperature, seed);
        _order = new Random(seed ^ OrderSeedMix);
    }

    public SimulatedAnnotatorSpec Profile { get; }

    public double Temperature => _votes.Temperature;

    /// <summary>The name its votes carry: <c>simulated:{name}</c>.</summary>
    public string Labeler => $"simulated:{Profile.Name}";

    /// <summary>u(x) = Σ_c weight_c · gold_c(x) over the gold score's components (all weights 1 = <see cref="GoldScore.Total"/>).</summary>
    public static double Utility(GoldWeightsSpec weights, GoldScore score)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(score);
        return (weights.Sentiment * score.Sentiment) + (weights.Plainness * score.Plainness) + (weights.OnTopic * score.OnTopic)
            + (weights.Harsh * score.HarshPenalty) + (weights.WordSalad * score.WordSaladPenalty) + (weights.Degeneracy * score.DegeneracyPenalty);
    }

    /// <summary>The length term in logits: lengthBias · log2(max(words(a), 1) / max(words(b), 1)).</summary>
    public static double LengthLogit(double lengthBias, int wordsA, int wordsB) =>
        lengthBias == 0 ? 0 : lengthBias * Math.Log2(Math.Max(wordsA, 1) / (double)Math.Max(wordsB, 1));

    /// <summary>
    /// The annotator's verdict on completions (i, j), relative to that order, with the order they were shown in:
    /// <see cref="JudgeVerdict.Forward"/> holds the answer by position when i was shown first, <see cref="JudgeVerdict.Reversed"/> when j was.
    /// </summary>
    public SimulatedVote Judge(GoldScore first, GoldScore second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var reversed = _order.Next(2) == 1;
        var offset = LengthLogit(Profile.LengthBias, first.Words, second.Words) + ((reversed ? -1 : 1) * Profile.PositionBias);
        var firstWins = _votes.PrefersFirst(Utility(Profile.Weights, first), Utility(Profile.Weights, second), offset);
        return new SimulatedVote(firstWins, reversed);
    }
}

/// <summary>One simulated vote on completions (i, j): whether i won, and whether j was the one shown first.</summary>
public readonly record struct SimulatedVote(bool FirstWins, bool ShownReversed)
{
    public PairVerdict Verdict => FirstWins ? PairVerdict.First : PairVerdict.Second;

    /// <summary>The verdict by position (First = the completion shown first).</summary>
    public PairVerdict ByPosition => ShownReversed ? Verdict.Swap() : Verdict;
}

using Rlhf.Core.Demo;

namespace Rlhf.Core.Tests.Demo;

/// <summary>A bias in logits on top of the Bradley–Terry noise: P(A ≻ B) = σ((a − b)/T + offset).</summary>
public sealed class PreferenceOffsetTests
{
    [Fact]
    public void OffsetAddsToTheLogit()
    {
        // (1.5 − 0.5)/0.5 = 2, plus offset −1 → σ(1) = 0.731059.
        Assert.Equal(1 / (1 + Math.Exp(-1)), BradleyTerryAnnotator.PreferenceProbability(1.5, 0.5, 0.5, logitOffset: -1), 12);
        // Equal gold: only the offset speaks, at any temperature, 0 included: σ(2) = 0.880797.
        Assert.Equal(1 / (1 + Math.Exp(-2)), BradleyTerryAnnotator.PreferenceProbability(0.3, 0.3, 0, logitOffset: 2), 12);
        Assert.Equal(1 / (1 + Math.Exp(-2)), BradleyTerryAnnotator.PreferenceProbability(0.3, 0.3, 4, logitOffset: 2), 12);
        // At T = 0 a gold difference is decisive whatever the offset.
        Assert.Equal(0, BradleyTerryAnnotator.PreferenceProbability(0.1, 0.2, 0, logitOffset: 5));
    }

    [Fact]
    public void ZeroOffsetDrawsExactlyThePlainLabels()
    {
        var pairs = Enumerable.Range(0, 500).Select(i => new GoldPair(Math.Sin(i), Math.Cos(i * 0.7))).ToList();

        var plain = new BradleyTerryAnnotator(0.4, seed: 11).Label(pairs);
        var annotator = new BradleyTerryAnnotator(0.4, seed: 11);
        var withZeroOffset = pairs.Select(p => annotator.PrefersFirst(p.GoldA, p.GoldB, logitOffset: 0)).ToList();

        Assert.Equal(plain, withZeroOffset);
    }
}

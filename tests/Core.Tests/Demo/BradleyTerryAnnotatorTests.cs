using Rlhf.Core.Demo;

namespace Rlhf.Core.Tests.Demo;

public sealed class BradleyTerryAnnotatorTests
{
    /// <summary>2,000 pairs of real gold scores: continuations of the tiny prompts (references and shuffled-word versions).</summary>
    private static readonly IReadOnlyList<GoldPair> Pairs = BuildPairs(2000);

    [Fact]
    public void Preference_probability_matches_hand_values()
    {
        Assert.Equal(1 / (1 + Math.Exp(-2)), BradleyTerryAnnotator.PreferenceProbability(1.5, 0.5, 0.5), 12); // σ(2) = 0.8808
        Assert.Equal(0.5, BradleyTerryAnnotator.PreferenceProbability(0.7, 0.7, 2), 12);
        Assert.Equal(1, BradleyTerryAnnotator.PreferenceProbability(0.2, 0.1, 0));
        Assert.Equal(0, BradleyTerryAnnotator.PreferenceProbability(0.1, 0.2, 0));
        // One pair, gold difference 1 at T = 1: p = σ(1) = 0.731059, agreement = p² + (1 − p)² = 0.606776.
        Assert.Equal(0.6067761335170, AnnotatorCalibration.ExpectedAgreement([new GoldPair(1, 0)], 1), 10);
        Assert.Equal(0.7310585786300, AnnotatorCalibration.ExpectedCeilingAccuracy([new GoldPair(0, 1)], 1), 10);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-9)]
    public void Near_zero_temperature_follows_the_gold_order(double temperature)
    {
        var distinct = Pairs.Where(p => p.GoldA != p.GoldB).ToList();
        var labels = new BradleyTerryAnnotator(temperature, seed: 7).Label(distinct);

        Assert.Equal(distinct.Select(p => p.GoldA > p.GoldB), labels);
        Assert.Equal(1.0, AnnotatorCalibration.CeilingAccuracy(distinct, labels));
    }

    [Fact]
    public void Calibrated_temperature_gives_seventy_three_percent_agreement()
    {
        var temperature = AnnotatorCalibration.CalibrateTemperature(Pairs, 0.73);

        var first = new BradleyTerryAnnotator(temperature, seed: 1).Label(Pairs);
        var second = new BradleyTerryAnnotator(temperature, seed: 2).Label(Pairs);
        var measuredCeiling = AnnotatorCalibration.CeilingAccuracy(Pairs, first);

        Assert.Equal(0.73, AnnotatorCalibration.ExpectedAgreement(Pairs, temperature), 5);
        Assert.InRange(AnnotatorCalibration.Agreement(first, second), 0.71, 0.75);
        // With agreement a = E[p² + (1-p)²] the ceiling E[max(p, 1-p)] lies between a and (1 + √(2a - 1)) / 2.
        var expectedCeiling = AnnotatorCalibration.ExpectedCeilingAccuracy(Pairs, temperature);
        Assert.InRange(expectedCeiling, 0.73, (1 + Math.Sqrt(0.46)) / 2);
        Assert.InRange(measuredCeiling, expectedCeiling - 0.03, expectedCeiling + 0.03);
    }

    [Fact]
    public void Agreement_falls_as_temperature_rises()
    {
        var agreements = new[] { 0.01, 0.1, 1, 10 }.Select(t => AnnotatorCalibration.ExpectedAgreement(Pairs, t)).ToList();

        Assert.Equal(agreements.OrderDescending(), agreements);
        Assert.InRange(agreements[^1], 0.5, 0.51);
    }

    [Fact]
    public void Same_seed_gives_the_same_labels_and_another_seed_differs()
    {
        var a = new BradleyTerryAnnotator(0.3, seed: 42).Label(Pairs);
        var b = new BradleyTerryAnnotator(0.3, seed: 42).Label(Pairs);
        var c = new BradleyTerryAnnotator(0.3, seed: 43).Label(Pairs);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.4)]
    [InlineData(1.0)]
    public void Unreachable_agreement_targets_are_rejected(double target) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AnnotatorCalibration.CalibrateTemperature(Pairs, target));

    private static List<GoldPair> BuildPairs(int count)
    {
        var scorer = TinyData.Scorer;
        var references = TinyData.ReadJsonLines<DemoReference>(DemoDataBuilder.ReferencesFile);
        var random = new Random(2024);
        var golds = references
            .SelectMany(r => new[] { r.Reference, " " + string.Join(' ', r.Reference.Split(' ', StringSplitOptions.RemoveEmptyEntries).OrderBy(_ => random.Next())) }
                .Select(text => scorer.Score(r.Prompt, text).Total))
            .ToList();
        return Enumerable.Range(0, count)
            .Select(_ => new GoldPair(golds[random.Next(golds.Count)], golds[random.Next(golds.Count)]))
            .ToList();
    }
}

using Rlhf.Activities.Labeling.Simulated;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Demo;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Simulated;

/// <summary>One simulated annotator's taste and biases, and the panel's calibration, on gold scores made by hand.</summary>
public sealed class SimulatedAnnotatorTests
{
    private static readonly SimulatedAnnotatorSpec Plain = new() { Name = "plain" };

    [Fact]
    public void UnbiasedAnnotatorVotesExactlyLikeAPlainBradleyTerryAnnotator()
    {
        var pairs = RandomPairs(1000, seed: 3);
        var annotator = new SimulatedAnnotator(Plain, 0.3, seed: 5);
        var reference = new BradleyTerryAnnotator(0.3, seed: 5);

        var votes = pairs.Select(p => annotator.Judge(p.A, p.B)).ToList();

        Assert.Equal(pairs.Select(p => reference.PrefersFirst(p.A.Total, p.B.Total)), votes.Select(v => v.FirstWins));
        Assert.InRange(votes.Count(v => v.ShownReversed) / 1000.0, 0.45, 0.55); // each pair is shown in a random order
    }

    [Fact]
    public void UtilityReweightsTheGoldComponents()
    {
        // A is warmer, B plainer. Gold (all weights 1): A = 0.3 + 0.5 = 0.8 < B = 0.1 + 0.8 = 0.9.
        // Sentiment ×3, plainness ×0: A = 0.9 > B = 0.3. At T = 0 each follows its own utility.
        var a = Score(sentiment: 0.3, plainness: 0.5, words: 10);
        var b = Score(sentiment: 0.1, plainness: 0.8, words: 10);
        var warm = Plain with { Name = "warm", Weights = new GoldWeightsSpec { Sentiment = 3, Plainness = 0 } };

        Assert.Equal(a.Total, SimulatedAnnotator.Utility(Plain.Weights, a));
        Assert.Equal(0.9, SimulatedAnnotator.Utility(warm.Weights, a), 12);
        Assert.Equal(0.3, SimulatedAnnotator.Utility(warm.Weights, b), 12);
        Assert.False(new SimulatedAnnotator(Plain, 0, seed: 1).Judge(a, b).FirstWins);
        Assert.True(new SimulatedAnnotator(warm, 0, seed: 1).Judge(a, b).FirstWins);
    }

    [Fact]
    public void LengthBiasPrefersTheLongerAnswerWhenGoldIsEqual()
    {
        // Twice the words at lengthBias 2: +2 logits → P(longer wins) = σ(2) = 0.8808 whatever the order shown.
        Assert.Equal(2, SimulatedAnnotator.LengthLogit(2, 20, 10), 12);
        Assert.Equal(-2, SimulatedAnnotator.LengthLogit(2, 10, 20), 12);
        var verbose = new SimulatedAnnotator(Plain with { Name = "verbose", LengthBias = 2 }, 0.5, seed: 9);
        var (longer, shorter) = (Score(0.2, 0.5, words: 20), Score(0.2, 0.5, words: 10));

        var longerWins = Enumerable.Range(0, 4000).Count(n => n % 2 == 0 ? verbose.Judge(longer, shorter).FirstWins : !verbose.Judge(shorter, longer).FirstWins);

        Assert.InRange(longerWins / 4000.0, 0.8808 - 0.02, 0.8808 + 0.02); // ±4 standard errors
    }

    [Fact]
    public void PositionBiasFavoursWhicheverIsShownFirst()
    {
        // Equal gold, positionBias 1: the first shown wins with σ(1) = 0.7311; an unbiased annotator ½.
        var (a, b) = (Score(0.2, 0.5, words: 10), Score(0.2, 0.5, words: 10));
        var primacy = new SimulatedAnnotator(Plain with { Name = "primacy", PositionBias = 1 }, 0.5, seed: 4);
        var plain = new SimulatedAnnotator(Plain, 0.5, seed: 4);

        double FirstShownWins(SimulatedAnnotator annotator) =>
            Enumerable.Range(0, 4000).Select(_ => annotator.Judge(a, b)).Count(v => v.ByPosition == Core.Labeling.PairVerdict.First) / 4000.0;

        Assert.InRange(FirstShownWins(primacy), 0.7311 - 0.028, 0.7311 + 0.028);
        Assert.InRange(FirstShownWins(plain), 0.5 - 0.032, 0.5 + 0.032);
    }

    [Fact]
    public void TwoUnbiasedAnnotatorsCalibratedToSeventyThreePercentAgreeThatOften()
    {
        var pairs = RandomPairs(4000, seed: 1);
        var input = Input(new LabelingSpec { AnnotatorsPerComparison = 2 });

        var panel = SimulatedPanel.For(input, pairs);
        var first = pairs.Select(p => panel[0].Judge(p.A, p.B).FirstWins).ToList();
        var second = pairs.Select(p => panel[1].Judge(p.A, p.B).FirstWins).ToList();

        Assert.Equal(["annotator-1", "annotator-2"], panel.Select(a => a.Profile.Name));
        Assert.Equal(panel[0].Temperature, panel[1].Temperature);
        Assert.Equal(0.73, AnnotatorCalibration.ExpectedAgreement(Gold(pairs), panel[0].Temperature), 5);
        Assert.InRange(AnnotatorCalibration.Agreement(first, second), 0.73 - 0.028, 0.73 + 0.028); // ±4 standard errors
        Assert.StartsWith("simulated:bt(T=", SimulatedPanel.MajorityLabeler(input.Labeling, panel), StringComparison.Ordinal);
    }

    [Fact]
    public void EachAnnotatorGetsItsOwnNoiseAndSeed()
    {
        var pairs = RandomPairs(500, seed: 2);
        var labeling = new LabelingSpec
        {
            Simulated = new SimulatedLabelingSpec
            {
                Annotators = [Plain, Plain with { Name = "sloppy", TargetAgreement = 0.6 }, Plain with { Name = "fixed", Temperature = 0.25 }],
            },
        };

        var panel = SimulatedPanel.For(Input(labeling), pairs);

        Assert.Equal(0.73, AnnotatorCalibration.ExpectedAgreement(Gold(pairs), panel[0].Temperature), 5);
        Assert.Equal(0.6, AnnotatorCalibration.ExpectedAgreement(Gold(pairs), panel[1].Temperature), 5);
        Assert.True(panel[1].Temperature > panel[0].Temperature); // less agreement = more noise
        Assert.Equal(0.25, panel[2].Temperature);
        Assert.Equal("simulated:majority(n=3)", SimulatedPanel.MajorityLabeler(labeling, panel));
        Assert.Equal("runs/r1/labels/simulated/batch-0007/sloppy.jsonl", SimulatedPanel.VotesPath("r1", 7, "sloppy"));

        // Same (run seed, batch, position) → same votes; another batch → other votes.
        List<SimulatedVote> Votes(Core.Contracts.LabelBatchInput input)
        {
            var annotator = SimulatedPanel.For(input, pairs)[0];
            return [.. pairs.Select(p => annotator.Judge(p.A, p.B))];
        }


        Assert.Equal(Votes(Input(labeling)), Votes(Input(labeling)));
        Assert.NotEqual(Votes(Input(labeling)), Votes(Input(labeling) with { BatchIndex = 1 }));
    }

    private static GoldScore Score(double sentiment, double plainness, int words) => new(sentiment, plainness, 0, 0, 0, 0, words);

    private static List<(GoldScore A, GoldScore B)> RandomPairs(int count, int seed)
    {
        var random = new Random(seed);
        GoldScore Next() => new(random.NextDouble() * 0.4, random.NextDouble(), random.NextDouble() * 0.5, -random.NextDouble() * 0.2, 0, -random.NextDouble() * 0.3, random.Next(3, 40));
        return [.. Enumerable.Range(0, count).Select(_ => (Next(), Next()))];
    }

    private static List<GoldPair> Gold(IEnumerable<(GoldScore A, GoldScore B)> pairs) => [.. pairs.Select(p => new GoldPair(p.A.Total, p.B.Total))];

    private static Core.Contracts.LabelBatchInput Input(LabelingSpec labeling) =>
        new("sim-test", 0, new ArtifactRef("unused", "0", 0), LabelingMode.Simulated, labeling, Seed: 3);
}

using TorchSharp;
using Rlhf.TrainerJob.Algorithms;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class RewardShapingTests
{
    // Row 0 ends with EOS at index 2 (index 3 is padding with a garbage KL of 5); row 1 is truncated (no EOS).
    private static readonly float[] _kl = [0.1f, 0.2f, -0.1f, 5f, 0.3f, 0f, 0f, 0.1f];
    private static readonly float[] _mask = [1f, 1f, 1f, 0f, 1f, 1f, 1f, 1f];

    private static ShapedRewards Shape(RewardShapingOptions options) => RewardShaping.Compute(
        F([2f, 3f], 2), F(_kl, 2, 4), F(_mask, 2, 4), tensor(new[] { true, false }), options);

    [Fact]
    public void ScoreLandsOnTheLastRealTokenAndMissingEosIsPenalised()
    {
        using var scope = NewDisposeScope();

        var result = Shape(new RewardShapingOptions(KlCoef: 0.5, MissingEosPenalty: 1));

        // −β·kl = −0.5·kl: row 0 [−0.05, −0.1, 0.05, 0 (padding)], row 1 [−0.15, 0, 0, −0.05]
        // row 0 score 2 at index 2 → 0.05 + 2 = 2.05; row 1 has no EOS: 3 − 1 = 2 at index 3 → −0.05 + 2 = 1.95
        Close([-0.05, -0.1, 2.05, 0, -0.15, 0, 0, 1.95], result.Rewards);
        Close([2, 2], result.Scores);
        Close([-0.05, -0.1, 0.05, 0, -0.15, 0, 0, -0.05], result.NonScoreRewards);
    }

    [Fact]
    public void ReplaceModeSetsTheScoreOfTruncatedResponses()
    {
        using var scope = NewDisposeScope();

        var result = Shape(new RewardShapingOptions(0.5, MissingEosPenalty: 1, MissingEosMode: MissingEosMode.Replace));

        // row 1 score := −1 → last token −0.05 − 1 = −1.05; row 0 untouched
        Close([2, -1], result.Scores);
        Close(-1.05, result.Rewards[1, 3]);
        Close(2.05, result.Rewards[0, 2]);
    }

    [Fact]
    public void NormaliseThenClipThenPenalise()
    {
        using var scope = NewDisposeScope();

        var result = Shape(new RewardShapingOptions(0.5, MissingEosPenalty: 1, ScoreClip: 0.4, ScoreMean: 1, ScoreStd: 2));

        // (2 − 1)/2 = 0.5 → clip 0.4; (3 − 1)/2 = 1 → clip 0.4 → no EOS: 0.4 − 1 = −0.6
        Close([0.4, -0.6], result.Scores);
        Close(0.05 + 0.4, result.Rewards[0, 2]);
        Close(-0.05 - 0.6, result.Rewards[1, 3]);
    }
}

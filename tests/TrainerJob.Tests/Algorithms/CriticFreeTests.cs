using Rlhf.TrainerJob.Algorithms;
using TorchSharp;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

/// <summary>GRPO and RLOO advantages and losses on tiny tensors, against numbers worked out by hand in the comments.</summary>
public sealed class CriticFreeTests
{
    // Two groups of G = 3: group 0 scores 1, 2, 3 (mean 2, unbiased std 1); group 1 scores 5, 5, 5 (std 0).
    private static readonly float[] _scores = [1f, 2f, 3f, 5f, 5f, 5f];

    [Fact]
    public void GrpoGroupScalingDividesEachGroupByItsOwnStdAndFlagsZeroStdGroups()
    {
        using var scope = NewDisposeScope();

        var result = GroupAdvantages.Grpo(F(_scores, 6, 1), [1.0], 3, ScaleRewards.Group, RewardAggregation.SumThenNormalize);

        // group 0: (−1, 0, 1) / (1 + 1e-4); group 1: 0 / (0 + 1e-4) = 0
        var d = 1 + 1e-4;
        Close([-1 / d, 0, 1 / d, 0, 0, 0], result.Advantages);
        Assert.Equal([false, false, false, true, true, true], result.StdIsZero.data<bool>().ToArray());
        Close([1, 0], result.GroupStd);
        Close([1, 2, 3, 5, 5, 5], result.Rewards);
    }

    [Fact]
    public void GrpoBatchScalingUsesTheBatchStdAndNoneOnlyCentres()
    {
        using var scope = NewDisposeScope();

        var batch = GroupAdvantages.Grpo(F(_scores, 6, 1), [1.0], 3, ScaleRewards.Batch, RewardAggregation.SumThenNormalize);
        var none = GroupAdvantages.Grpo(F(_scores, 6, 1), [1.0], 3, ScaleRewards.None, RewardAggregation.SumThenNormalize);

        // batch std of (1, 2, 3, 5, 5, 5): mean 3.5, Σ(x − 3.5)² = 6.25 + 2.25 + 0.25 + 3 · 2.25 = 15.5, /5 → √3.1 = 1.760682
        var d = Math.Sqrt(3.1) + 1e-4;
        Close([-1 / d, 0, 1 / d, 0, 0, 0], batch.Advantages);
        Assert.All(batch.StdIsZero.data<bool>().ToArray(), Assert.False);
        Close([-1, 0, 1, 0, 0, 0], none.Advantages);
    }

    [Fact]
    public void WeightedSourcesSumThenNormalizeAndNormalizeThenSum()
    {
        using var scope = NewDisposeScope();
        // G = 2, two groups, sources A and B with weights 1 and 0.5 (rows: A, B).
        var perSource = F([1f, 0f, 3f, 4f, 2f, 1f, 2f, 3f], 4, 2);

        var summed = GroupAdvantages.Grpo(perSource, [1.0, 0.5], 2, ScaleRewards.None, RewardAggregation.SumThenNormalize);
        var gdpo = GroupAdvantages.Grpo(perSource, [1.0, 0.5], 2, ScaleRewards.Group, RewardAggregation.NormalizeThenSum);

        // sum first: r = A + B/2 = (1, 5, 2.5, 3.5); centred per group: (−2, 2, −0.5, 0.5)
        Close([1, 5, 2.5, 3.5], summed.Rewards);
        Close([-2, 2, -0.5, 0.5], summed.Advantages);
        // normalise first: group 0: A → ∓1/(√2 + 1e-4), B → ∓2/(√8 + 1e-4); group 1: A → 0 (std 0), B → ∓1/(√2 + 1e-4);
        // c = A' + B'/2 = (−1.060598, 1.060598, −0.353528, 0.353528), then (c − 0) / (std(c) + 1e-4).
        var a = 1 / (Math.Sqrt(2) + 1e-4);
        var b = 2 / (Math.Sqrt(8) + 1e-4);
        double[] c = [-(a + b / 2), a + b / 2, -a / 2, a / 2];
        var std = Math.Sqrt(c.Sum(x => x * x) / 3);
        Close(c.Select(x => x / (std + 1e-4)).ToArray(), gdpo.Advantages, 1e-5);
    }

    [Fact]
    public void RlooBaselineIsTheMeanOfTheOtherCompletionsAndCanBeWhitened()
    {
        using var scope = NewDisposeScope();
        var rewards = F([1f, 2f, 3f, 4f, 4f, 4f], 6);

        var plain = GroupAdvantages.Rloo(rewards, 3, normalize: false);
        var whitened = GroupAdvantages.Rloo(rewards, 3, normalize: true);

        // baselines of group 0: (2 + 3)/2 = 2.5, (1 + 3)/2 = 2, (1 + 2)/2 = 1.5 → Â = −1.5, 0, 1.5; group 1: all 0
        Close([-1.5, 0, 1.5, 0, 0, 0], plain);
        // mean 0, unbiased std √(4.5 / 5) = 0.948683
        var d = Math.Sqrt(0.9) + 1e-4;
        Close([-1.5 / d, 0, 1.5 / d, 0, 0, 0], whitened);
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupAdvantages.Rloo(F([1f, 2f], 2), 1, normalize: false));
    }

    // Ratios r = exp(logp − oldLogp), oldLogp = 0; row 0 has Â = +1, row 1 Â = −1; token (1, 2) is padding.
    // Clip range [1 − 0.2, 1 + 0.28] = [0.8, 1.28].
    private static readonly float[] _ratios = [1.1f, 1.5f, 0.5f, 0.7f, 1.3f, 0.9f];
    private static readonly float[] _mask = [1f, 1f, 1f, 1f, 1f, 0f];

    [Theory]
    // token   r    Â   −min(r·Â, clip(r)·Â)
    // (0,0)  1.1  +1   −1.1
    // (0,1)  1.5  +1   −1.28   (clipped above at 1 + ε_high)
    // (0,2)  0.5  +1   −0.5    (not clipped: r·Â is the smaller)
    // (1,0)  0.7  −1   +0.8    (clipped below at 1 − ε)
    // (1,1)  1.3  −1   +1.3    (not clipped)
    // masked sum −0.78 over 5 tokens; row means −2.88/3 = −0.96 and 2.1/2 = 1.05
    [InlineData(GrpoLossType.Dapo, -0.78 / 5)]                 // sum / tokens
    [InlineData(GrpoLossType.Grpo, (-0.96 + 1.05) / 2)]        // mean of the sequence means
    [InlineData(GrpoLossType.DrGrpo, -0.78 / (2 * 4))]         // sum / (B · maxNewTokens = 4)
    public void GrpoLossAggregatesTokensAsEachLossTypeDefines(GrpoLossType lossType, double expected)
    {
        using var scope = NewDisposeScope();
        var logProbs = F(_ratios, 2, 3).log();

        var result = CriticFreeLosses.Grpo(logProbs, zeros(2, 3), null, F([1f, -1f], 2), F(_mask, 2, 3), lossType, 0.2, 0.28, beta: 0, maxNewTokens: 4);

        Close(expected, result.Loss);
        // low: (1,0) r < 0.8 with Â < 0; high: (0,1) r > 1.28 with Â > 0; 1 and 2 of 5 tokens
        Close(0.2, result.Metrics["clip_ratio/low_mean"]);
        Close(0.2, result.Metrics["clip_ratio/high_mean"]);
        Close(0.4, result.Metrics["clip_ratio/region_mean"]);
        Assert.False(result.Metrics.ContainsKey("kl"));
    }

    [Fact]
    public void GrpoBetaAddsTheK3KlToTheReference()
    {
        using var scope = NewDisposeScope();
        var logProbs = F(_ratios, 2, 3).log();

        var result = CriticFreeLosses.Grpo(logProbs, zeros(2, 3), zeros(2, 3), F([1f, -1f], 2), F(_mask, 2, 3), GrpoLossType.Dapo, 0.2, 0.28, beta: 0.5, maxNewTokens: 4);

        // ref = 0: k3 = exp(−log r) + log r − 1 = 1/r + ln r − 1 per masked token
        var k3 = new[] { 1.1, 1.5, 0.5, 0.7, 1.3 }.Select(r => 1 / r + Math.Log(r) - 1).ToArray();
        Close((-0.78 + 0.5 * k3.Sum()) / 5, result.Loss);
        Close(k3.Average(), result.Metrics["kl"]);
    }

    [Fact]
    public void GrpoGradientPushesTheUnclippedTokensOnly()
    {
        using var scope = NewDisposeScope();
        var logProbs = F(_ratios, 2, 3).log().requires_grad_();

        CriticFreeLosses.Grpo(logProbs, zeros(2, 3), null, F([1f, -1f], 2), F(_mask, 2, 3), GrpoLossType.Dapo, 0.2, 0.28, 0, 4).Loss.backward();

        // d/dlogp of −r·Â/5 is −r·Â/5 where unclipped; clipped and padded tokens get 0
        Close([-1.1 / 5, 0, -0.5 / 5, 0, 1.3 / 5, 0], logProbs.grad!);
    }

    [Fact]
    public void RlooClipsTheSequenceRatio()
    {
        using var scope = NewDisposeScope();
        // row 0: log-ratios 0.1 + 0.2 = 0.3 → ρ = e^0.3 = 1.349859 > 1.2 with Â = +1 → −1.2
        // row 1: −0.5 (second token padding) → ρ = e^−0.5 = 0.606531 < 0.8 with Â = −1 → −min(−0.6065, −0.8) = 0.8
        var logProbs = F([0.1f, 0.2f, -0.5f, 0.3f], 2, 2);

        var result = CriticFreeLosses.Rloo(logProbs, zeros(2, 2), F([1f, -1f], 2), F([1f, 1f, 1f, 0f], 2, 2), 0.2, 0.2);

        Close((-1.2 + 0.8) / 2, result.Loss);
        Close(0.5, result.Metrics["clip_ratio/high_mean"]);
        Close(0.5, result.Metrics["clip_ratio/low_mean"]);
        Close(1.0, result.Metrics["clip_ratio/region_mean"]);
    }

    [Fact]
    public void RlooUnclippedGradientIsRatioTimesAdvantageOnEveryMaskedToken()
    {
        using var scope = NewDisposeScope();
        // ρ = e^0.1 = 1.105171 inside [0.8, 1.2]: loss = −ρ·Â/B, d/dlogp_t = −ρ·Â/B on each masked token of the row
        var logProbs = F([0.05f, 0.05f, 0f, 0f], 2, 2).requires_grad_();

        CriticFreeLosses.Rloo(logProbs, zeros(2, 2), F([2f, 0f], 2), F([1f, 1f, 1f, 0f], 2, 2), 0.2, 0.2).Loss.backward();

        var g = -Math.Exp(0.1) * 2 / 2;
        Close([g, g, 0, 0], logProbs.grad!);
    }

    [Fact]
    public void ConfigsReadTrlNamesAndRejectBadValues()
    {
        var grpo = TrainerParams.Read<GrpoConfig>(new System.Text.Json.Nodes.JsonObject { ["lossType"] = "dr_grpo", ["scaleRewards"] = "none", ["epsilonHigh"] = 0.28 });
        Assert.Equal(GrpoLossType.DrGrpo, grpo.LossType);
        Assert.Equal(ScaleRewards.None, grpo.ScaleRewards);
        Assert.Equal(0.28, grpo.UpperClip);
        Assert.Equal(8, grpo.NumGenerations);
        Assert.Equal(0, grpo.Beta);
        var rloo = TrainerParams.Read<RlooConfig>(null);
        Assert.Equal((2, 0.05, 0.2), (rloo.NumGenerations, rloo.Beta, rloo.UpperClip));

        var error = Assert.Throws<ArgumentException>(() => TrainerParams.Read<GrpoConfig>(new System.Text.Json.Nodes.JsonObject { ["numGenerations"] = 1, ["promptsPerIteration"] = 6, ["numMiniBatches"] = 4 }));
        Assert.Contains("params.numGenerations must be >= 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("params.numMiniBatches must divide promptsPerIteration", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TrainerParams.Read<RlooConfig>(new System.Text.Json.Nodes.JsonObject { ["scaleRewards"] = "group" }));
    }
}

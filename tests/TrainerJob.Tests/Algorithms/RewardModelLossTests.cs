using TorchSharp;
using Rlhf.TrainerJob.Algorithms;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class RewardModelLossTests
{
    // −logsigmoid(x) = ln(1 + e^−x):
    // ln(1 + e^−1) = 0.3132617, ln(1 + e^0.5) = 0.9740770, ln(1 + e^−0.5) = 0.4740770,
    // ln(1 + e^1) = 1.3132617, ln(1 + e^−2) = 0.1269280
    [Fact]
    public void BradleyTerryLossAndAccuracy()
    {
        using var scope = NewDisposeScope();
        var chosen = F([2f, 0.5f], 2);
        var rejected = F([1f, 1f], 2);

        var result = RewardModelLoss.Compute(chosen, rejected);

        // gaps [1, −0.5] → (0.3132617 + 0.9740770) / 2 = 0.6436693; one of two pairs ordered right
        Close(0.6436693, result.Loss);
        Close(0.5, result.Metrics["rm/accuracy"]);
        Close(0.25, result.Metrics["rm/margin"]); // (1 − 0.5) / 2
    }

    [Fact]
    public void MarginIsSubtractedFromTheGap()
    {
        using var scope = NewDisposeScope();

        var result = RewardModelLoss.Compute(F([2f, 0.5f], 2), F([1f, 1f], 2), margin: F([0.5f, 0.5f], 2));

        // gaps − margin = [0.5, −1] → (0.4740770 + 1.3132617) / 2 = 0.8936693
        Close(0.8936693, result.Loss);
    }

    [Fact]
    public void CentringTermPenalisesTheRewardSum()
    {
        using var scope = NewDisposeScope();

        var result = RewardModelLoss.Compute(F([2f, 0.5f], 2), F([1f, 1f], 2), centerCoef: 0.1);

        // (rc + rr)² = [9, 2.25], 0.1 · mean = 0.5625; total = 0.6436693 + 0.5625 = 1.2061693
        Close(1.2061693, result.Loss);
    }

    [Fact]
    public void KWiseRankingOfFourGivesSixPairsBestFirst()
    {
        // Items ranked 2 > 0 > 3 > 1: every item beats every item listed after it.
        var pairs = KWiseRanking.Pairs([2, 0, 3, 1]);

        Assert.Equal([(2, 0), (2, 3), (2, 1), (0, 3), (0, 1), (3, 1)], pairs);
    }

    [Fact]
    public void ExpandOffsetsEachRankingIntoTheFlatItemList()
    {
        using var scope = NewDisposeScope();

        // Ranking 0 holds items 0..1, ranking 1 holds items 2..5 (offset 2).
        var pairs = KWiseRanking.Expand([[1, 0], [2, 0, 3, 1]]);

        Assert.Equal([1L, 4, 4, 4, 2, 2, 5], pairs.Chosen.data<long>().ToArray());
        Assert.Equal([0L, 2, 5, 3, 5, 3, 3], pairs.Rejected.data<long>().ToArray());
        Assert.Equal([0L, 1, 1, 1, 1, 1, 1], pairs.Group.data<long>().ToArray());
    }

    [Fact]
    public void GroupedLossAveragesWithinEachPromptThenAcrossPrompts()
    {
        using var scope = NewDisposeScope();
        // Three pairs: two from prompt 0 (gaps 1 and −0.5), one from prompt 1 (gap 2).
        var chosen = F([2f, 0.5f, 3f], 3);
        var rejected = F([1f, 1f, 1f], 3);
        var group = tensor(new long[] { 0, 0, 1 });

        var grouped = RewardModelLoss.Compute(chosen, rejected, group: group);
        var flat = RewardModelLoss.Compute(chosen, rejected);

        // prompt 0: (0.3132617 + 0.9740770) / 2 = 0.6436693; prompt 1: 0.1269280
        // grouped = (0.6436693 + 0.1269280) / 2 = 0.3852987; a flat mean would be 1.4142667 / 3 = 0.4714222
        Close(0.3852987, grouped.Loss);
        Close(0.4714222, flat.Loss);
    }

    [Fact]
    public void GroupedLossFromExpandedRankingsEqualsHandAverage()
    {
        using var scope = NewDisposeScope();
        // Item rewards: prompt 0 items 0..1, prompt 1 items 2..4; rankings best first.
        var itemRewards = F([0f, 1f, 0f, 2f, 1f], 5);
        var pairs = KWiseRanking.Expand([[1, 0], [1, 2, 0]]);

        var result = RewardModelLoss.Compute(
            itemRewards.index_select(0, pairs.Chosen), itemRewards.index_select(0, pairs.Rejected), group: pairs.Group);

        // prompt 0: (1 > 0) gap 1 → 0.3132617
        // prompt 1: items 3 > 4 > 2 with rewards 2, 1, 0: gaps 1, 2, 1 → (0.3132617 + 0.1269280 + 0.3132617) / 3 = 0.2511505
        // loss = (0.3132617 + 0.2511505) / 2 = 0.2822061; all 4 pairs ordered right
        Close(0.2822061, result.Loss);
        Close(1.0, result.Metrics["rm/accuracy"]);
    }
}

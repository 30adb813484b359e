using Rlhf.TrainerContracts;
using Rlhf.TrainerJob.Training;

namespace Rlhf.TrainerJob.Tests.Training;

/// <summary>Which held-out check PPO keeps (issue 14: the best checkpoint, not the last).</summary>
public sealed class HeldoutCheckTests
{
    private static readonly HeldoutPoint Start = new(0, 0, 0, 0.5);

    [Fact]
    public void The_first_check_is_kept_whatever_it_scored()
    {
        Assert.True(HeldoutCheck.IsBetter(Start, null, KeepBest.Proxy, maxKl: 1));
        Assert.True(HeldoutCheck.IsBetter(new HeldoutPoint(0, 50, -9, -9), null, KeepBest.Gold, maxKl: 1));
    }

    [Fact]
    public void Proxy_keeps_the_higher_reward_model_score_even_when_gold_fell()
    {
        var overOptimised = new HeldoutPoint(40, 6, Reward: 2.0, Gold: 0.3);
        var earlier = new HeldoutPoint(20, 3, Reward: 1.0, Gold: 0.9);

        Assert.True(HeldoutCheck.IsBetter(overOptimised, earlier, KeepBest.Proxy, maxKl: null));
        Assert.False(HeldoutCheck.IsBetter(overOptimised, earlier, KeepBest.Gold, maxKl: null));
        Assert.False(HeldoutCheck.IsBetter(earlier, overOptimised, KeepBest.Proxy, maxKl: null));
        Assert.True(HeldoutCheck.IsBetter(earlier, overOptimised, KeepBest.Gold, maxKl: null));
    }

    [Fact]
    public void A_check_over_the_kl_budget_is_never_kept_and_last_always_is()
    {
        var over = new HeldoutPoint(60, 12, 5, 5);

        Assert.False(HeldoutCheck.IsBetter(over, Start, KeepBest.Proxy, maxKl: 10));
        Assert.False(HeldoutCheck.IsBetter(over, Start, KeepBest.Gold, maxKl: 10));
        Assert.True(HeldoutCheck.IsBetter(over, Start, KeepBest.Proxy, maxKl: 12));
        Assert.True(HeldoutCheck.IsBetter(new HeldoutPoint(70, 1, -1, -1), over, KeepBest.Last, maxKl: 10));
    }

    [Fact]
    public void A_check_whose_vocabulary_collapsed_is_never_kept()
    {
        var collapsed = new HeldoutPoint(40, 3, Reward: 3.0, Gold: 1.0, DistinctRatio: 0.6);
        var varied = new HeldoutPoint(40, 3, Reward: 3.0, Gold: 1.0, DistinctRatio: 0.9);

        Assert.False(HeldoutCheck.IsBetter(collapsed, Start, KeepBest.Proxy, maxKl: null, minDistinctRatio: 0.75));
        Assert.True(HeldoutCheck.IsBetter(varied, Start, KeepBest.Proxy, maxKl: null, minDistinctRatio: 0.75));
        Assert.True(HeldoutCheck.IsBetter(collapsed, Start, KeepBest.Proxy, maxKl: null, minDistinctRatio: null));   // no floor: as before
    }

    [Fact]
    public void A_tie_keeps_the_earlier_check_which_is_closer_to_the_reference()
    {
        Assert.False(HeldoutCheck.IsBetter(new HeldoutPoint(30, 4, 0, 0.5), Start, KeepBest.Gold, maxKl: null));
    }
}

using Rlhf.Activities.Labeling.Human;
using Rlhf.Core.Contracts;

namespace Rlhf.Labeling.Tests;

public sealed class HumanLabelAggregatorTests
{
    private static readonly SampleRecord Pair = new("p-pair", "The sea", [new("is calm."), new("is loud loud loud.")]);
    private static readonly SampleRecord Three = new("p-three", "A whale", [new("swims."), new("sings softly."), new("is a fish fish.")]);

    [Fact]
    public void Pair_goes_to_the_majority()
    {
        var records = HumanLabelAggregator.Aggregate("r", [Pair], [
            Said("alice", Pair, HumanVerdict.Ranked, [1, 0]),
            Said("bob", Pair, HumanVerdict.Ranked, [0, 1]),
            Said("carol", Pair, HumanVerdict.Ranked, [1, 0])]);

        var record = Assert.Single(records);
        Assert.Equal((1, 0), (record.ChosenIndex, record.RejectedIndex));
        Assert.Equal("is loud loud loud.", record.Chosen);
        Assert.Equal("r:p-pair:0-1", record.Id);
        Assert.Equal("human:alice,bob,carol", record.Labeler);
        Assert.Equal([1, 0], record.Ranking);
    }

    [Fact]
    public void Split_vote_and_no_preference_verdicts_give_no_pair()
    {
        var split = HumanLabelAggregator.Aggregate("r", [Pair], [
            Said("alice", Pair, HumanVerdict.Ranked, [1, 0]),
            Said("bob", Pair, HumanVerdict.Ranked, [0, 1])]);
        var abstained = HumanLabelAggregator.Aggregate("r", [Pair], [
            Said("alice", Pair, HumanVerdict.Tie, null),
            Said("bob", Pair, HumanVerdict.BothBad, null),
            Said("carol", Pair, HumanVerdict.Skip, null)]);

        Assert.Empty(split);
        Assert.Empty(abstained);
    }

    [Fact]
    public void A_tie_does_not_outvote_a_preference()
    {
        var records = HumanLabelAggregator.Aggregate("r", [Pair], [
            Said("alice", Pair, HumanVerdict.Tie, null),
            Said("bob", Pair, HumanVerdict.Ranked, [1, 0])]);

        Assert.Equal(1, Assert.Single(records).ChosenIndex);
    }

    [Fact]
    public void Rankings_are_combined_by_borda_count()
    {
        // alice 2 > 0 > 1 → points (0:1, 1:0, 2:2); bob 0 > 2 > 1 → (0:2, 1:0, 2:1); carol 2 > 1 > 0 → (0:0, 1:1, 2:2).
        // Totals 0:3, 1:1, 2:5 → ranking 2 > 0 > 1; pairs 0-1 (0 wins), 0-2 (2 wins), 1-2 (2 wins).
        var records = HumanLabelAggregator.Aggregate("r", [Three], [
            Said("alice", Three, HumanVerdict.Ranked, [2, 0, 1]),
            Said("bob", Three, HumanVerdict.Ranked, [0, 2, 1]),
            Said("carol", Three, HumanVerdict.Ranked, [2, 1, 0])]);

        Assert.Equal(["r:p-three:0-1", "r:p-three:0-2", "r:p-three:1-2"], records.Select(r => r.Id));
        Assert.Equal([(0, 1), (2, 0), (2, 1)], records.Select(r => (r.ChosenIndex, r.RejectedIndex)));
        Assert.All(records, r => Assert.Equal([2, 0, 1], r.Ranking));
    }

    [Fact]
    public void Equal_borda_totals_drop_that_pair_and_rank_by_index()
    {
        // alice 2 > 0 > 1, bob 0 > 2 > 1 → totals 0:3, 1:0, 2:3: 0 and 2 tie.
        var records = HumanLabelAggregator.Aggregate("r", [Three], [
            Said("alice", Three, HumanVerdict.Ranked, [2, 0, 1]),
            Said("bob", Three, HumanVerdict.Ranked, [0, 2, 1])]);

        Assert.Equal([(0, 1), (2, 1)], records.Select(r => (r.ChosenIndex, r.RejectedIndex)));
        Assert.All(records, r => Assert.Equal([0, 2, 1], r.Ranking));
    }

    [Fact]
    public void Identical_completions_carry_no_preference()
    {
        var twins = new SampleRecord("p-twins", "Ahab", [new("raged."), new("raged."), new("slept.")]);

        var records = HumanLabelAggregator.Aggregate("r", [twins], [Said("alice", twins, HumanVerdict.Ranked, [0, 2, 1])]);

        Assert.Equal(["r:p-twins:0-2", "r:p-twins:1-2"], records.Select(r => r.Id));
    }

    private static (string, IReadOnlyList<HumanJudgement>) Said(string labeler, SampleRecord item, HumanVerdict verdict, int[]? ranking) =>
        (labeler, [new HumanJudgement(ComparisonIds.Of("r", 0, item.PromptId), item.PromptId, labeler, verdict, ranking, null)]);
}

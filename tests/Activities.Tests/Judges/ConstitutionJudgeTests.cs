using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Judges;

public sealed class ConstitutionJudgeTests : IDisposable
{
    private const string Gentle = " and the whale was calm and gentle in the warm blue sea.";
    private const string Harsh = " and the cruel whale killed and tortured the hated men.";
    private const string GentleAgain = " And the whale was calm and gentle in the warm blue sea.";

    private readonly JudgeTestData _data = new();

    private static readonly SampleRecord WhaleItem = JudgeTestData.Item("p-whale", "The whale swam in the sea", Gentle, Harsh, GentleAgain);

    [Fact]
    public async Task PrefersTheHarmlessKindCompletionAndRecordsEachPrinciple()
    {
        var judge = new ConstitutionJudge(_data.Store, JudgeTestData.Constitution);
        var labeled = await judge.LabelAsync(JudgeTestData.Input(new LabelingSpec { Mode = LabelingMode.Ai }), [WhaleItem]);

        Assert.Equal("ai:constitution", labeled.Labeler);
        var verdicts = await _data.VerdictsAsync();
        Assert.Equal(3, verdicts.Count); // C(3,2) pairs, ties included
        var gentleVsHarsh = verdicts.Single(v => v.ComparisonId == "p-whale:0-1");
        Assert.Equal(PairVerdict.First, gentleVsHarsh.Verdict);
        Assert.Equal(["helpful", "harmless", "honest"], gentleVsHarsh.Principles.Select(p => p.Principle));
        var harmless = gentleVsHarsh.Principles.Single(p => p.Principle == "harmless");
        Assert.Equal(PairVerdict.First, harmless.Verdict);
        Assert.True(harmless.SecondScore < 0 && harmless.FirstScore == 0, $"harsh words must cost the second completion: {harmless}");

        // Same words, different case: every principle ties, so the judge ties; a tie has no preference line.
        Assert.Equal(PairVerdict.Tie, verdicts.Single(v => v.ComparisonId == "p-whale:0-2").Verdict);
        Assert.Equal(2, labeled.Records.Count);
        Assert.All(labeled.Records, r => Assert.Equal(Harsh, r.Rejected));
        Assert.Equal([0, 2, 1], labeled.Records[0].Ranking); // Copeland: 1.5, 0, 1.5 points; equal points by index
    }

    [Fact]
    public async Task OnlyTheWeightedPrinciplesAreJudged()
    {
        // Harmlessness alone: the second pair differs only in kindness words, which harmlessness does not see.
        var item = JudgeTestData.Item("p-kind", "The captain spoke", " to the crew in a kind and warm voice.", " to the crew in a plain and flat voice.");
        var spec = new LabelingSpec { Ai = new AiLabelingSpec { Principles = new PrinciplesSpec { Helpful = 0, Harmless = 1, Honest = 0 } } };
        await new ConstitutionJudge(_data.Store, JudgeTestData.Constitution).LabelAsync(JudgeTestData.Input(spec), [item]);
        var verdict = (await _data.VerdictsAsync()).Single();
        Assert.Equal("harmless", verdict.Principles.Single().Principle);
        Assert.Equal(PairVerdict.Tie, verdict.Verdict);

        var none = new LabelingSpec { Ai = new AiLabelingSpec { Principles = new PrinciplesSpec { Helpful = 0, Harmless = 0, Honest = 0 } } };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new ConstitutionJudge(_data.Store, JudgeTestData.Constitution).LabelAsync(JudgeTestData.Input(none, batchIndex: 1), [item]));
        Assert.Contains("weight 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelBatchRoutesModeAiToTheConfiguredJudgeDeterministically()
    {
        var batch = await _data.Store.PutAsync("runs/judge-test/labels/batches/batch-0000.jsonl", Jsonl.Serialize([WhaleItem]));
        var spec = new LabelingSpec { Mode = LabelingMode.Ai };
        var input = JudgeTestData.Input(spec) with { Batch = batch };
        IPreferenceLabeler[] labelers = [new SimulatedLabeler(_data.Store, JudgeTestData.Scorer), new RougeLabeler(_data.Store), new ConstitutionJudge(_data.Store, JudgeTestData.Constitution)];

        var result = await new LabelBatch(_data.Store, labelers).RunAsync(null!, input);
        Assert.Equal(("ai:constitution", 2), (result.Labeler, result.Pairs));
        var summary = await _data.Store.ReadJsonAsync<JudgeBatchSummary>(JudgeLayout.Summary("judge-test", 0));
        Assert.Equal((3, 1, 0), (summary.Comparisons, summary.Ties, summary.Requests));

        // A second run (another store) gives the same bytes: the judge is deterministic.
        using var other = new JudgeTestData();
        var again = await new ConstitutionJudge(other.Store, JudgeTestData.Constitution).LabelAsync(input, [WhaleItem]);
        Assert.Equal(result.Labels.Sha256, ContentHash.Sha256(Jsonl.Serialize(again.Records)));

        var missing = input with { Labeling = spec with { Ai = new AiLabelingSpec { Judge = AiJudgeKind.AzureOpenAi } }, BatchIndex = 1 };
        await Assert.ThrowsAsync<NotSupportedException>(() => new LabelBatch(_data.Store, labelers).RunAsync(null!, missing));
    }

    public void Dispose() => _data.Dispose();
}

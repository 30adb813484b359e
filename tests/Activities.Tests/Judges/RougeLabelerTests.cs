using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Judges;

public sealed class RougeLabelerTests : IDisposable
{
    private readonly JudgeTestData _data = new();

    [Fact]
    public void RougeLMatchesHandComputedLcs()
    {
        // candidate "the cat on a mat" vs reference "the cat sat on the mat": LCS = the, cat, on, mat = 4;
        // P = 4/5, R = 4/6, F1 = 2·(4/5)(2/3)/(4/5 + 2/3) = 8/11.
        string[] candidate = ["the", "cat", "on", "a", "mat"], reference = ["the", "cat", "sat", "on", "the", "mat"];
        Assert.Equal(4, RougeL.Lcs(candidate, reference));
        Assert.Equal(4, RougeL.Lcs(reference, candidate));
        Assert.Equal(0, RougeL.Lcs(["x"], reference));
        Assert.Equal(8.0 / 11, RougeL.F1("The cat, on a mat!", "the cat sat on the mat"), 12);
        Assert.Equal(0.0, RougeL.F1("", "the cat"), 12);
    }

    [Fact]
    public async Task PrefersTheCompletionCloserToTheReferenceContinuation()
    {
        // The committed demo references: prompt "It is a" continues " way I have of driving off the spleen ...".
        await _data.Store.PutFileAsync("datasets/tiny/references.jsonl", Path.Combine(AppContext.BaseDirectory, "data", "tiny", "references.jsonl"));
        var item = JudgeTestData.Item("p1180c49af0e9", "It is a", " way I have of driving off the spleen.", " fine day for a walk by the sea.", " fine day for a walk by the sea!");
        var labeled = await new RougeLabeler(_data.Store).LabelAsync(JudgeTestData.Input(new LabelingSpec { Ai = new AiLabelingSpec { Judge = AiJudgeKind.Rouge } }), [item]);

        Assert.Equal("rouge:l-f1", labeled.Labeler);
        Assert.Equal(2, labeled.Records.Count); // the two sea completions tie on ROUGE-L
        Assert.All(labeled.Records, r => Assert.Equal(0, r.ChosenIndex));
        var verdicts = await _data.VerdictsAsync();
        Assert.Equal(PairVerdict.Tie, verdicts.Single(v => v.ComparisonId == "p1180c49af0e9:1-2").Verdict);
        var first = verdicts.Single(v => v.ComparisonId == "p1180c49af0e9:0-1").Principles.Single();
        // " way I have of driving off the spleen" (8 words) vs the 12-word reference: LCS 8 → F1 = 2·1·(8/12)/(1 + 8/12) = 0.8.
        Assert.Equal(0.8, first.FirstScore, 12);

        var unknown = JudgeTestData.Item("no-such-prompt", "x", " a", " b");
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() =>
            new RougeLabeler(_data.Store).LabelAsync(JudgeTestData.Input(new LabelingSpec(), batchIndex: 1), [unknown]));
        Assert.Contains("no-such-prompt", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}

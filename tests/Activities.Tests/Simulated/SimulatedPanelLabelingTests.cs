using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Simulated;
using Rlhf.Activities.Tests.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Simulated;

/// <summary>
/// <see cref="LabelBatch"/> in mode simulated over real continuations: each annotator's votes land in its own write-once
/// file, the batch keeps the majority, and <see cref="AgreementFiles"/> reads the panel back.
/// </summary>
public sealed class SimulatedPanelLabelingTests : IDisposable
{
    private static readonly SimulatedAnnotatorSpec[] Panel =
    [
        new() { Name = "plain" },
        new() { Name = "verbose", LengthBias = 3 },
        new() { Name = "primacy", PositionBias = 3 },
    ];

    private readonly JudgeTestData _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task EachAnnotatorsVotesAreStoredAndTheBatchKeepsTheirMajority()
    {
        var input = await InputAsync(_data.Store, new SimulatedLabelingSpec { Annotators = Panel });

        var result = await new LabelBatch(_data.Store, [new SimulatedLabeler(_data.Store, JudgeTestData.Scorer)]).RunAsync(null!, input);

        var files = Panel.Select(a => SimulatedPanel.VotesPath("sim-run", 0, a.Name)).ToList();
        var verdicts = new List<IReadOnlyList<JudgeVerdict>>();
        foreach (var file in files)
        {
            verdicts.Add(Jsonl.Deserialize<JudgeVerdict>(file, await _data.Store.ReadAsync(file)));
        }

        Assert.Equal("simulated:majority(n=3)", result.Labeler);
        Assert.Equal(Items.Count * 3, result.Pairs); // K = 3 distinct completions → 3 pairs per prompt
        Assert.All(verdicts, v => Assert.Equal(result.Pairs, v.Count));
        Assert.All(verdicts.SelectMany(v => v), v => Assert.True(v.Forward is null != v.Reversed is null)); // shown once, in one order
        Assert.Equal(["simulated:plain", "simulated:verbose", "simulated:primacy"], verdicts.Select(v => v[0].Labeler));

        // The batch's line for each comparison is the majority of the three files.
        var labels = Jsonl.Deserialize<PreferenceRecord>(result.Labels.Path, await _data.Store.ReadAsync(result.Labels.Path)).Select(LabelVote.From).ToList();
        var majority = verdicts[0].Select((v, i) => Agreement.Majority(verdicts.Select(f => f[i].Verdict))).ToList();
        Assert.Equal(majority, labels.Select(l => l.Verdict));
        Assert.Equal(verdicts[0].Select(v => v.ComparisonId), labels.Select(l => l.ComparisonId));

        // Deterministic: another store labels the same batch into the same bytes, files included.
        using var other = new JudgeTestData();
        var again = await new LabelBatch(other.Store, [new SimulatedLabeler(other.Store, JudgeTestData.Scorer)]).RunAsync(null!, await InputAsync(other.Store, input.Labeling.Simulated));
        Assert.Equal(result.Labels.Sha256, again.Labels.Sha256);
        foreach (var file in files)
        {
            Assert.Equal((await _data.Store.GetRefAsync(file))!.Sha256, (await other.Store.GetRefAsync(file))!.Sha256);
        }

        // The biases show: the verbose annotator picks the longer completion, the primacy annotator the one shown first, more often than the plain one.
        var words = Items.SelectMany(item => item.Completions.Select((c, k) => (Key: $"{item.PromptId}:{k}", Words: c.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length)))
            .ToDictionary(x => x.Key, x => x.Words);
        double LongerShare(IReadOnlyList<JudgeVerdict> votes) => votes.Average(v =>
        {
            var (first, second) = (words[$"{v.PromptId}:{v.First}"], words[$"{v.PromptId}:{v.Second}"]);
            return (first > second) == (v.Verdict == PairVerdict.First) ? 1.0 : 0.0;
        });
        Assert.True(LongerShare(verdicts[1]) > LongerShare(verdicts[0]) + 0.1, $"{LongerShare(verdicts[1])} vs {LongerShare(verdicts[0])}");

        var report = await AgreementFiles.ForRunAsync(_data.Store, "sim-run");
        var bias = report.PositionBias.ToDictionary(b => b.Labeler, b => b.FirstPositionShare!.Value);
        Assert.True(bias["simulated:primacy"] > bias["simulated:plain"] + 0.1, $"{bias["simulated:primacy"]} vs {bias["simulated:plain"]}");
    }

    [Fact]
    public async Task AgreementOfASimulatedRunIsTheAnnotatorsNotTheMajorityLine()
    {
        var input = await InputAsync(_data.Store, new SimulatedLabelingSpec { Annotators = Panel });
        await new LabelBatch(_data.Store, [new SimulatedLabeler(_data.Store, JudgeTestData.Scorer)]).RunAsync(null!, input);

        var report = await AgreementFiles.ForRunAsync(_data.Store, "sim-run");

        // The "simulated:majority(n=3)" batch lines are replaced by the three annotators' own votes.
        Assert.Equal(["simulated:plain", "simulated:primacy", "simulated:verbose"], report.Labelers.Select(l => l.Labeler));
        Assert.Equal(Items.Count * 3, report.Comparisons);
        Assert.Equal(Items.Count * 3 * 3, report.Votes);
        Assert.Equal(3, report.LabelerPairs.Count);
        Assert.Equal(Items.Count * 3, report.FleissItems);
        Assert.NotNull(report.FleissKappa);
        Assert.All(report.Labelers, l => Assert.Equal((Items.Count * 3, 0), (l.Votes, l.Ties)));
        Assert.Equal(3, report.PositionBias.Count);
    }

    [Fact]
    public async Task DefaultSpecLabelsLikeBeforeAndRecordsItsOneAnnotator()
    {
        var input = await InputAsync(_data.Store, new SimulatedLabelingSpec());

        var result = await new LabelBatch(_data.Store, [new SimulatedLabeler(_data.Store, JudgeTestData.Scorer)]).RunAsync(null!, input);

        Assert.StartsWith("simulated:bt(T=", result.Labeler, StringComparison.Ordinal);
        Assert.True(await _data.Store.ExistsAsync(SimulatedPanel.VotesPath("sim-run", 0, "annotator-1")));
        var report = await AgreementFiles.ForRunAsync(_data.Store, "sim-run");
        Assert.Equal(["simulated:annotator-1"], report.Labelers.Select(l => l.Labeler));
        Assert.Empty(report.LabelerPairs);
        Assert.Null(report.FleissKappa);
    }

    /// <summary>16 prompts, each with three continuations of 6, 12 and 20 words cut from the tiny corpus.</summary>
    private static readonly IReadOnlyList<SampleRecord> Items = BuildItems();

    private static List<SampleRecord> BuildItems()
    {
        var words = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "tiny", "corpus.txt"))
            .Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return [.. Enumerable.Range(0, 16).Select(n => JudgeTestData.Item(
            $"p{n:D2}",
            string.Join(' ', words.Skip(n * 97).Take(4)),
            [.. new[] { 6, 12, 20 }.Select((length, k) => " " + string.Join(' ', words.Skip((n * 97) + 4 + (k * 23)).Take(length)))]))];
    }

    private static async Task<LabelBatchInput> InputAsync(IArtifactStore store, SimulatedLabelingSpec simulated)
    {
        var batch = await store.PutAsync("runs/sim-run/labels/batches/batch-0000.jsonl", Jsonl.Serialize(Items));
        return new LabelBatchInput("sim-run", 0, batch, LabelingMode.Simulated, new LabelingSpec { Simulated = simulated }, Seed: 7);
    }
}

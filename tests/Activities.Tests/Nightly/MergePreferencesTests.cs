using Rlhf.Activities.Labeling;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Nightly;

/// <summary>
/// The merge of accumulated labels on a real (folder) store: provenance on every line, prior lines not counted twice,
/// the label window dropping the oldest machine-labeled batches first and never people's labels, and the per-run summary.
/// </summary>
public sealed class MergePreferencesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-merge-").FullName;
    private readonly LocalArtifactStore _store;

    public MergePreferencesTests() => _store = new LocalArtifactStore(_root);

    /// <summary>One batch of run <paramref name="runId"/>: <paramref name="prompts"/> prompts with 3 completions, C(3,2) lines each, as a labeler writes them.</summary>
    private static List<PreferenceRecord> Batch(string runId, string labeler, params string[] prompts) =>
        [.. prompts.SelectMany(p =>
        {
            var item = new SampleRecord(p, $"prompt {p}", [new($"{runId} {p} a"), new($"{runId} {p} b"), new($"{runId} {p} c")]);
            return new[] { (0, 1), (0, 2), (1, 2) }.Select(x => PreferenceRecord.ForPair(runId, item, x.Item1, x.Item2, true, [0, 1, 2], labeler));
        })];

    private async Task<ArtifactRef> PutAsync(string path, IEnumerable<PreferenceRecord> lines) => await _store.PutAsync(path, Jsonl.Serialize(lines));

    private async Task<(IReadOnlyList<PreferenceRecord> Lines, PreferenceSummary Summary)> MergeAsync(string runId, IReadOnlyList<ArtifactRef> prior, IReadOnlyList<LabelFile> batches, LabelWindowSpec? window = null)
    {
        var merged = await new MergePreferences(_store).RunAsync(null!, new MergePreferencesInput(runId, prior, batches) { Window = window ?? new() });
        return (await Jsonl.ReadAsync<PreferenceRecord>(_store, merged), await _store.ReadJsonAsync<PreferenceSummary>(ArtifactLayout.PreferenceSummary(runId)));
    }

    [Fact]
    public async Task EveryMergedLineStatesItsRunBatchAndLabelerAndPriorLinesAreNotCountedTwice()
    {
        // night 1 as written before provenance (no runId field; the run id prefixes the line id)
        var night1 = await PutAsync("runs/n1/labels/preferences.jsonl", Batch("n1", "simulated", "p1", "p2").Select(l => l with { RunId = null }));
        var pool = await PutAsync("runs/n2/labels/preferences.jsonl", [.. (await Jsonl.ReadAsync<PreferenceRecord>(_store, night1)).Select(l => l with { RunId = "n1" }), .. Batch("n2", "simulated", "p1") ]);
        var own0 = await PutAsync("runs/n3/labels/batch-0000.jsonl", Batch("n3", "simulated", "p1"));
        var own1 = await PutAsync("runs/n3/labels/batch-0001.jsonl", Batch("n3", "human:alice", "p2"));

        var (lines, summary) = await MergeAsync("n3", [night1, pool], [new LabelFile(0, own0), new LabelFile(1, own1)]);

        Assert.Equal(6 + 3 + 3 + 3, lines.Count); // night 1's lines once, though both prior files hold them
        Assert.All(lines, l => Assert.NotNull(l.RunId));
        Assert.Equal(["n1", "n2", "n3"], lines.Select(l => l.RunId).Distinct());
        Assert.All(lines.Where(l => l.RunId == "n3"), l => Assert.Equal(l.PromptId == "p1" ? 0 : 1, l.Batch));
        Assert.All(lines, l => Assert.False(string.IsNullOrEmpty(l.Labeler)));
        Assert.All(lines, l => Assert.False(string.IsNullOrEmpty(l.Prompt + l.Chosen + l.Rejected))); // still the TRL shape
        Assert.Equal(
            [new RunLabelCount("n1", 6, 0, 0), new RunLabelCount("n2", 3, 0, 0), new RunLabelCount("n3", 6, 3, 0)],
            summary.Runs);
    }

    [Fact]
    public async Task TheNightsWindowDropsOlderMachineLabelsButNeverPeoples()
    {
        var prior = await PutAsync("runs/n3/labels/preferences.jsonl",
            [.. Batch("n1", "simulated", "p1"), .. Batch("n1", "human:bob", "p2"), .. Batch("n2", "simulated", "p1", "p2"), .. Batch("n3", "simulated", "p1")]);
        var own = await PutAsync("runs/n4/labels/batch-0000.jsonl", Batch("n4", "simulated", "p1"));

        var (lines, summary) = await MergeAsync("n4", [prior], [new LabelFile(0, own)], new LabelWindowSpec { Nights = 2 });

        Assert.Equal(["n1", "n3", "n4"], lines.Select(l => l.RunId).Distinct());
        Assert.All(lines.Where(l => l.RunId == "n1"), l => Assert.Equal("human:bob", l.Labeler));
        Assert.Equal(
            [new RunLabelCount("n1", 3, 3, 3), new RunLabelCount("n2", 0, 0, 6), new RunLabelCount("n3", 3, 0, 0), new RunLabelCount("n4", 3, 0, 0)],
            summary.Runs);
        Assert.Equal(9, summary.Dropped);
    }

    [Fact]
    public async Task TheComparisonCapDropsWholeOldestMachineBatchesFirst()
    {
        var prior = await PutAsync("runs/n2/labels/preferences.jsonl",
            [.. Batch("n1", "simulated", "p1", "p2").Select(l => l with { Batch = 0 }), .. Batch("n1", "human:bob", "p3").Select(l => l with { Batch = 1 }), .. Batch("n2", "simulated", "p1").Select(l => l with { Batch = 0 })]);
        var own = await PutAsync("runs/n3/labels/batch-0000.jsonl", Batch("n3", "simulated", "p1"));

        var (lines, summary) = await MergeAsync("n3", [prior], [new LabelFile(0, own)], new LabelWindowSpec { MaxComparisons = 10 });

        // 6 + 3 + 3 + 3 = 15 lines: n1's machine batch (6) goes, people's batch stays, 9 remain
        Assert.Equal(9, lines.Count);
        Assert.DoesNotContain(lines, l => l.RunId == "n1" && !l.IsHuman);
        Assert.Equal(3, lines.Count(l => l.IsHuman));
        Assert.All(lines.GroupBy(l => (l.SampleSet, l.PromptId, l.Labeler)), g => Assert.Equal(3, g.Count())); // no ranking cut in half
        Assert.Equal(6, summary.Dropped);
    }

    [Fact]
    public async Task ARetriedMergeWritesTheSameFile()
    {
        var own = await PutAsync("runs/n1/labels/batch-0000.jsonl", Batch("n1", "simulated", "p1"));
        var input = new MergePreferencesInput("n1", [], [new LabelFile(0, own)]);

        var first = await new MergePreferences(_store).RunAsync(null!, input);
        var again = await new MergePreferences(_store).RunAsync(null!, input);

        Assert.Equal(first, again);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

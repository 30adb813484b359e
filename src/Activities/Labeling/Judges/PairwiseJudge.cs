using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// Shared shape of the AI judges: judge every pair i &lt; j of distinct completions of each item
/// (<see cref="SimulatedLabeler.PairsOf"/>), store the verdicts at <see cref="JudgeLayout.Verdicts"/> and the
/// usage at <see cref="JudgeLayout.Summary"/>, and turn the decided verdicts into preference lines. Ties have no
/// preference line (a pair without a winner cannot train a reward model or DPO) but stay in the verdict file and
/// count half a win in the K-wise ranking (Copeland; equal scores by index). A retry that finds the verdict file
/// reuses it, so a remote judge is not paid twice and the labels do not change.
/// </summary>
public abstract class PairwiseJudge(IArtifactStore store) : IAiJudge
{
    public LabelingMode Mode => LabelingMode.Ai;

    public abstract AiJudgeKind Kind { get; }

    public async Task<LabeledBatch> LabelAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(items);
        var path = JudgeLayout.Verdicts(input.RunId, input.BatchIndex, input.Part);
        IReadOnlyList<JudgeVerdict> verdicts;
        if (await store.ExistsAsync(path, cancellationToken))
        {
            verdicts = Jsonl.Deserialize<JudgeVerdict>(path, await store.ReadAsync(path, cancellationToken));
        }
        else
        {
            verdicts = await JudgeAsync(input, items, cancellationToken);
            await store.PutAsync(path, Jsonl.Serialize(verdicts), cancellationToken);
        }

        var labeler = verdicts.Count > 0 ? verdicts[0].Labeler : LabelerName(input.Labeling.Ai);
        await store.PutJsonAsync(JudgeLayout.Summary(input.RunId, input.BatchIndex, input.Part), JudgeBatchSummary.Of(labeler, verdicts), cancellationToken);
        return new LabeledBatch(ToRecords(input.RunId, items, verdicts), labeler);
    }

    /// <summary>The name preference lines carry (<c>ai:...</c> for judges, <c>rouge:...</c> for the baseline).</summary>
    protected abstract string LabelerName(AiLabelingSpec spec);

    /// <summary>One verdict per pair of <see cref="SimulatedLabeler.PairsOf"/>, items in order.</summary>
    protected abstract Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken);

    /// <summary>A verdict with its ids filled in for pair (i, j) of <paramref name="item"/>.</summary>
    protected static JudgeVerdict VerdictOf(SampleRecord item, int i, int j, string labeler, PairVerdict verdict) =>
        JudgeVerdict.For(item, i, j, labeler, verdict);

    /// <summary>Weighted principle verdict: the sign of Σ weight·(first − second), a tie within 1e-9.</summary>
    protected static PairVerdict Weighted(IEnumerable<PrincipleVerdict> principles)
    {
        var margin = principles.Sum(p => p.Weight * (p.FirstScore - p.SecondScore));
        return PairVerdicts.FromSign(Math.Abs(margin) <= 1e-9 ? 0 : margin);
    }

    private static List<PreferenceRecord> ToRecords(string runId, IReadOnlyList<SampleRecord> items, IReadOnlyList<JudgeVerdict> verdicts)
    {
        var byPrompt = verdicts.ToLookup(v => v.PromptId, StringComparer.Ordinal);
        var records = new List<PreferenceRecord>();
        foreach (var item in items)
        {
            var judged = byPrompt[item.PromptId].ToList();
            var points = new double[item.Completions.Count];
            foreach (var v in judged)
            {
                points[v.First] += v.Verdict == PairVerdict.First ? 1 : v.Verdict == PairVerdict.Tie ? 0.5 : 0;
                points[v.Second] += v.Verdict == PairVerdict.Second ? 1 : v.Verdict == PairVerdict.Tie ? 0.5 : 0;
            }

            var decided = judged.Where(v => v.Verdict != PairVerdict.Tie).ToList();
            var ranking = PreferenceRecord.RankingOf(points, decided.Select(v => v.Verdict == PairVerdict.First ? (v.First, v.Second) : (v.Second, v.First)));
            records.AddRange(decided.Select(v => PreferenceRecord.ForPair(runId, item, v.First, v.Second, v.Verdict == PairVerdict.First, ranking, v.Labeler)));
        }

        return records;
    }
}

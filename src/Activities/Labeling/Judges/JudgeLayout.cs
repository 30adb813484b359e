using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>Where AI judges record what their preference lines cannot hold: ties, per-principle and per-order verdicts, token usage.</summary>
public static class JudgeLayout
{
    /// <summary>
    /// <c>runs/{runId}/labels/judge/batch-NNNN.jsonl</c>: one <see cref="Core.Labeling.JudgeVerdict"/> per comparison, on the
    /// criteria people judge by too (a batch's own labels, its audit and its AI fallback share these verdicts, so the judge
    /// is asked once). The <see cref="LabelParts.Ai"/> part judges other principles: <c>judge/ai/batch-NNNN.jsonl</c>.
    /// </summary>
    public static string Verdicts(string runId, int batchIndex, string? part = null) =>
        $"{ArtifactLayout.Run(runId)}/labels/judge/{(part == LabelParts.Ai ? "ai/" : "")}{Path.GetFileName(ArtifactLayout.Labels(runId, batchIndex))}";

    /// <summary><c>runs/{runId}/labels/judge/[ai/]batch-NNNN.usage.json</c>: the batch's <see cref="JudgeBatchSummary"/>.</summary>
    public static string Summary(string runId, int batchIndex, string? part = null) => Path.ChangeExtension(Verdicts(runId, batchIndex, part), ".usage.json");
}

using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>Where AI judges record what their preference lines cannot hold: ties, per-principle and per-order verdicts, token usage.</summary>
public static class JudgeLayout
{
    /// <summary><c>runs/{runId}/labels/judge/batch-NNNN.jsonl</c>: one <see cref="Core.Labeling.JudgeVerdict"/> per comparison.</summary>
    public static string Verdicts(string runId, int batchIndex) =>
        $"{ArtifactLayout.Run(runId)}/labels/judge/{Path.GetFileName(ArtifactLayout.Labels(runId, batchIndex))}";

    /// <summary><c>runs/{runId}/labels/judge/batch-NNNN.usage.json</c>: the batch's <see cref="JudgeBatchSummary"/>.</summary>
    public static string Summary(string runId, int batchIndex) => Path.ChangeExtension(Verdicts(runId, batchIndex), ".usage.json");
}

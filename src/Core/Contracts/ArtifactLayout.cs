namespace Rlhf.Core.Contracts;

/// <summary>
/// Where steps put things, shared by the orchestrations, the activities and the trainer: a step writes
/// under its output prefix; a model step writes its model folder at <see cref="Model"/>; a sample step
/// writes <see cref="Samples"/> (lines of <see cref="SampleRecord"/>).
/// </summary>
public static class ArtifactLayout
{
    public static string Run(string runId) => $"runs/{runId}";

    public static string Step(string runId, string step) => $"runs/{runId}/{step}";

    public static string Model(string stepOutput) => $"{stepOutput.TrimEnd('/')}/model";

    public static string Samples(string stepOutput) => $"{stepOutput.TrimEnd('/')}/samples.jsonl";

    public static string LabelBatch(string runId, int index) => $"runs/{runId}/labels/batches/batch-{index:D4}.jsonl";

    public static string Labels(string runId, int index) => $"runs/{runId}/labels/batch-{index:D4}.jsonl";

    /// <summary>
    /// A batch's labels file, or with <paramref name="part"/> one of its machine-labeled parts in its own folder:
    /// <see cref="LabelParts.Ai"/> (the AI's principles under routing by principle) or <see cref="LabelParts.Audit"/>.
    /// </summary>
    public static string Labels(string runId, int index, string? part) =>
        part is null ? Labels(runId, index) : $"runs/{runId}/labels/{part}/batch-{index:D4}.jsonl";

    public static string Preferences(string runId) => $"runs/{runId}/labels/preferences.jsonl";

    /// <summary>What the merged preferences hold, per run (night), and what the label window dropped (<see cref="PreferenceSummary"/>).</summary>
    public static string PreferenceSummary(string runId) => $"runs/{runId}/labels/preferences.summary.json";

    /// <summary>The promotion gate's decision for a run (<see cref="PublishResult"/>).</summary>
    public static string PublishDecision(string runId) => $"runs/{runId}/publish/decision.json";

    public static string JobSpec(string jobId) => $"jobs/{jobId}/spec.json";

    public static string JobAttempt(string jobId, int attempt) => $"jobs/{jobId}/attempt-{attempt}.json";

    public static string JobLog(string jobId, int attempt) => $"jobs/{jobId}/attempt-{attempt}.log";

    public static string JobProcess(string jobId) => $"jobs/{jobId}/process.json";

    public const string Champion = "registry/champion.json";

    /// <summary>The label pool: the merged preferences of the latest nightly run that labeled (<see cref="LabelPool"/>).</summary>
    public const string LabelPoolPointer = "registry/label-pool.json";
}

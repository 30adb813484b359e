namespace Rlhf.Core.Runs;

/// <summary>The stages of a run, in order. Their names (<see cref="PipelineStages.Name"/>) are what status, CLI and report show.</summary>
public enum PipelineStage
{
    BasePolicy,
    SupervisedCai,
    Samples,
    Labels,
    Reward,
    Policy,
    Evaluate,
    Publish,
}

/// <summary>The stage table: every stage's display name, in pipeline order. One place; no stage is addressed by position.</summary>
public static class PipelineStages
{
    public static IReadOnlyList<PipelineStage> All { get; } = Enum.GetValues<PipelineStage>();

    public static string Name(PipelineStage stage) => stage switch
    {
        PipelineStage.BasePolicy => "base-policy",
        PipelineStage.SupervisedCai => "sl-cai",
        PipelineStage.Samples => "samples",
        PipelineStage.Labels => "labels",
        PipelineStage.Reward => "reward",
        PipelineStage.Policy => "policy",
        PipelineStage.Evaluate => "evaluate",
        PipelineStage.Publish => "publish",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "Not a pipeline stage."),
    };

    /// <summary>The stage named <paramref name="name"/> (as <see cref="Name"/> writes it), or null.</summary>
    public static PipelineStage? FromName(string? name) =>
        All.Select(s => (PipelineStage?)s).FirstOrDefault(s => Name(s!.Value) == name);
}

/// <summary>
/// Step names: the folder of a step under <c>runs/{runId}/</c>, the suffix of its job id and of its sub-orchestration
/// (<c>{runId}:{step}</c>). The policy-optimisation step is the algorithm's (<see cref="PolicyAlgorithms"/>).
/// </summary>
public static class StepNames
{
    public const string Sft = "sft";
    public const string Samples = "samples";
    public const string Labels = "labels";
    public const string Reward = "reward";
    public const string Evaluate = "evaluate";
    public const string Run = "run";

    /// <summary>Constitutional AI's supervised stage (optional): its jobs are sub-steps of this folder.</summary>
    public const string SupervisedCai = "sl-cai";

    /// <summary>The policy's first responses to the SL-CAI prompts (a <c>sample</c> job).</summary>
    public const string SupervisedCaiResponses = $"{SupervisedCai}/responses";

    /// <summary>The fine-tune on (prompt, final revision) (an <c>sft</c> job).</summary>
    public const string SupervisedCaiSft = $"{SupervisedCai}/sft";

    /// <summary>Round <paramref name="round"/>'s folder: critiques, revision prompts, revisions.</summary>
    public static string SupervisedCaiRound(int round) => $"{SupervisedCai}/round-{round}";

    /// <summary>Round <paramref name="round"/>'s resampled continuations (a <c>sample</c> job; local critic only).</summary>
    public static string SupervisedCaiCandidates(int round) => $"{SupervisedCaiRound(round)}/candidates";

    public static string SampleShard(int shard) => $"{Samples}/shard-{shard}";

    /// <summary>Every trainer step in pipeline order: SFT, SL-CAI, samples, labels, reward, each algorithm's step, evaluate.</summary>
    public static IReadOnlyList<string> InOrder { get; } = [Sft, SupervisedCai, Samples, Labels, Reward, .. PolicyAlgorithms.All.Select(a => a.Step), Evaluate];
}

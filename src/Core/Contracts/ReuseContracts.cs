using Rlhf.Core.Artifacts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Contracts;

/// <summary>
/// How a run reuses earlier runs' completed steps (docs/reuse.md). <see cref="Enabled"/> is the spec's <c>reuse</c> (and
/// <c>--no-reuse</c>); a rerun from a stage (<c>rlhf run rerun --from</c>) runs that stage and every later one again
/// (<see cref="RerunFrom"/>) and prefers the old run's steps for the earlier ones (<see cref="PreferRun"/>).
/// Completed steps are recorded for later runs whatever the policy says. With <see cref="Enabled"/> false nothing is reused, not
/// even people's stored labels: that is how a run asks people again.
/// </summary>
public sealed record ReusePolicy
{
    public bool Enabled { get; init; } = true;
    public PipelineStage? RerunFrom { get; init; }
    public string? PreferRun { get; init; }

    /// <summary>Whether the steps of <paramref name="stage"/> look for a reusable earlier step.</summary>
    public bool LooksUp(PipelineStage stage) => Enabled && (RerunFrom is not { } from || stage < from);

    public StepReuseOptions For(PipelineStage stage) => new(LooksUp(stage), PreferRun) { HumanLabels = Enabled };
}

/// <summary>
/// What one stage passes to its reuse lookups: whether to look for reusable steps at all, whose to prefer, and whether
/// people's stored answers to the same comparisons are taken instead of asking again (any run that reuses; a rerun from
/// the labels stage or earlier included).
/// </summary>
public sealed record StepReuseOptions(bool Lookup, string? PreferRun = null)
{
    public bool HumanLabels { get; init; }
}

/// <summary>Activity input of <c>FindReusableStep</c>: the trainer job the run is about to start.</summary>
public sealed record FindReusableStepInput(string RunId, JobSpec Job, StepReuseOptions Options);

/// <summary>
/// What <c>FindReusableStep</c> found: the job's reuse key (null when this build has no code version, so nothing is
/// recorded either) and, when an earlier run's completed step matched, that step.
/// </summary>
public sealed record StepReuseLookup(string? Key)
{
    public ReusedStep? Hit { get; init; }
}

/// <summary>An earlier run's completed trainer step taken instead of running the job: its result as that run recorded it.</summary>
public sealed record ReusedStep(string FromRun, TrainingJobResult Result);

/// <summary>Activity input of <c>RecordReusableStep</c>: a job that ran to completion under <paramref name="Key"/>.</summary>
public sealed record RecordReusableStepInput(string RunId, string Key, TrainingJobResult Result);

/// <summary>What <c>FindReusableLabels</c> found: the labeling stage's reuse key and, when it matched, the earlier labeling.</summary>
public sealed record LabelsReuseLookup(string? Key)
{
    public string? FromRun { get; init; }
    public LabelComparisonsResult? Hit { get; init; }
}

/// <summary>Activity input of <c>FindReusableLabels</c>.</summary>
public sealed record FindReusableLabelsInput(LabelComparisonsInput Labels, StepReuseOptions Options);

/// <summary>Activity input of <c>RecordReusableLabels</c>: a labeling stage that completed under <paramref name="Key"/>.</summary>
public sealed record RecordReusableLabelsInput(string RunId, string Key, LabelComparisonsResult Result);

/// <summary>
/// Activity input of <c>FindHumanLabels</c> and <c>RecordHumanLabels</c>: a batch that goes to people, with the labeling
/// spec they label by. <paramref name="Submitted"/> is set when recording what they answered.
/// </summary>
public sealed record HumanLabelsReuseInput(string RunId, int BatchIndex, ArtifactRef Batch, LabelingSpec Labeling)
{
    public HumanLabelsSubmitted? Submitted { get; init; }
}

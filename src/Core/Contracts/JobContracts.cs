using System.Text.Json.Serialization;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Contracts;

/// <summary>
/// How <c>RunTrainingJob</c> drives one job: the budget of the job's own failures (<see cref="MaxAttempts"/>), poll interval,
/// per-attempt timeout, polls per history generation, and the separate budget of lost attempts (<see cref="MaxLostAttempts"/>).
/// </summary>
public sealed record JobPolicy(int MaxAttempts, TimeSpan PollInterval, TimeSpan AttemptTimeout, int PollsPerGeneration = 100)
{
    /// <summary>The job fails when this many attempts were lost (<see cref="JobState.Lost"/>). A policy in an older history has none recorded: the default applies.</summary>
    public int MaxLostAttempts { get; init; } = 10;

    public static JobPolicy From(ComputeSpec compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return new(compute.MaxAttempts, TimeSpan.FromSeconds(compute.PollIntervalSeconds), TimeSpan.FromMinutes(compute.JobTimeoutMinutes))
        {
            MaxLostAttempts = compute.MaxLostAttempts,
        };
    }
}

/// <summary>
/// Input (and ContinueAsNew state) of <c>RunTrainingJob</c>. <see cref="Current"/> is the submitted attempt
/// being polled (null = submit attempt <see cref="Attempt"/> first); <see cref="Failures"/> keeps one line per failed or
/// lost attempt, <see cref="LostAttempts"/> how many of them were lost (0 in a history written before lost attempts existed).
/// </summary>
public sealed record RunTrainingJobInput(JobSpec Spec, JobPolicy Policy)
{
    public int Attempt { get; init; } = 1;
    public JobHandle? Current { get; init; }
    public DateTime? AttemptStartedUtc { get; init; }
    public IReadOnlyList<string> Failures { get; init; } = [];
    public int LostAttempts { get; init; }
    public int Generation { get; init; }

    /// <summary>Attempts that failed on their own (the budget of <see cref="JobPolicy.MaxAttempts"/>).</summary>
    [JsonIgnore]
    public int FailedAttempts => Failures.Count - LostAttempts;
}

/// <summary>A finished job: its step manifest (reference), outputs and metrics summary.</summary>
public sealed record TrainingJobResult(
    string JobId,
    string Verb,
    string Output,
    int Attempts,
    ArtifactRef Manifest,
    IReadOnlyList<ArtifactRef> Outputs,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>History generations the monitor used (1 + ContinueAsNew count).</summary>
    public int Generations { get; init; } = 1;
}

/// <summary>Activity input of <c>SubmitJob</c>.</summary>
public sealed record SubmitJobInput(JobSpec Spec, int Attempt);

/// <summary>
/// One submitted attempt of a job, as the runner knows it. <see cref="Runner"/> names the runner that started it, which
/// answers its status and cancels it; a handle in a history written before runner kinds existed has none: local.
/// </summary>
public sealed record JobHandle(string JobId, string Verb, string Output, int Attempt)
{
    public JobRunnerKind Runner { get; init; } = JobRunnerKind.Local;
}

/// <summary>What a runner reports for one attempt. <see cref="Manifest"/> is set when the job succeeded.</summary>
public sealed record JobProgress(JobState State, long Step = 0, long TotalSteps = 0, string? Message = null)
{
    /// <summary>The failure cannot be cured by resubmitting (the trainer rejected its spec): give up at once.</summary>
    public bool Permanent { get; init; }

    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    public ArtifactRef? Manifest { get; init; }
    public IReadOnlyList<ArtifactRef> Outputs { get; init; } = [];
}

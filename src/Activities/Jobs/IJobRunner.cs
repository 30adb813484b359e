using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// Starts trainer jobs somewhere (a child process, an Azure ML command job) and reports on them.
/// Implementations are idempotent per (job id, attempt): submitting an attempt that is already
/// submitted returns its handle, so a retried <c>SubmitJob</c> activity never starts a job twice.
/// Status comes from the job's artifacts through <see cref="ArtifactJobStatus"/> (manifest, exit record, heartbeat), so it
/// survives a restart of the host; an attempt gone without an exit code or a manifest is <see cref="JobState.Lost"/>.
/// A runner refuses to start a job of a cancelled run (<see cref="RunJobs.IsCancelledAsync"/>).
/// The activities use the <see cref="JobRunnerRouter"/>, which hands each job to the runner of its kind.
/// </summary>
public interface IJobRunner
{
    Task<JobHandle> SubmitAsync(JobSpec spec, int attempt, CancellationToken cancellationToken = default);

    Task<JobProgress> GetStatusAsync(JobHandle job, CancellationToken cancellationToken = default);

    Task CancelAsync(JobHandle job, CancellationToken cancellationToken = default);
}

/// <summary>
/// The runner of one <see cref="JobRunnerKind"/>: it takes the specs whose <see cref="JobSpec.Runner"/> is its kind and
/// returns handles of that kind. Registered with <c>TryAddEnumerable</c>; the router wants exactly one per kind.
/// </summary>
public interface IJobRunnerOfKind : IJobRunner
{
    JobRunnerKind Kind { get; }

    /// <summary>Why this host cannot run the jobs of <paramref name="spec"/> (checked at submission), each at its JSON path; empty when it can.</summary>
    IReadOnlyList<SpecError> FindErrors(RunSpec spec);
}

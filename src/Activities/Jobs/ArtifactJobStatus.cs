using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;

namespace Rlhf.Activities.Jobs;

/// <summary>What a runner knows about the process (or remote job) of one attempt.</summary>
public enum JobLiveness
{
    /// <summary>The runner sees it running.</summary>
    Alive,

    /// <summary>The runner sees it gone (no such process, or its node is gone).</summary>
    Gone,

    /// <summary>The runner cannot see it (another machine's process): the heartbeat's freshness decides.</summary>
    Unknown,
}

/// <summary>
/// A job attempt's state from its artifacts, the one rule every runner applies: the manifest means Succeeded; the
/// exit record (<see cref="JobExitRecord"/>) of this attempt means it exited: Failed (permanent for
/// <see cref="JobExitCodes.InvalidSpec"/>); a heartbeat of this attempt that says Failed means Failed; otherwise a
/// live job is Running with its heartbeat's progress, and one that is gone without any of these is Lost (its host or
/// node died: not the job's fault). A job the runner cannot see is Running while its heartbeat (or, before the
/// first one, its start) is younger than <see cref="StaleAfter"/>, and Lost after that.
/// </summary>
public sealed class ArtifactJobStatus(IArtifactStore store, TimeProvider time, TimeSpan staleAfter)
{
    /// <summary>Default of <see cref="StaleAfter"/>: a heartbeat comes every <c>progressEvery</c> steps, well within it.</summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromMinutes(15);

    public TimeSpan StaleAfter { get; } = staleAfter;

    /// <param name="job">The attempt.</param>
    /// <param name="startedUtc">When its process started (a heartbeat older than that is an earlier attempt's); null when unknown.</param>
    /// <param name="liveness">What the runner sees of the process.</param>
    /// <param name="goneMessage">Why the attempt is lost when <paramref name="liveness"/> is <see cref="JobLiveness.Gone"/>.</param>
    public async Task<JobProgress> GetAsync(JobHandle job, DateTimeOffset? startedUtc, JobLiveness liveness, string goneMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (await SucceededAsync(job, cancellationToken) is { } done)
        {
            return done;
        }

        if (await ExitAsync(job, cancellationToken) is { } exit)
        {
            return Exited(job, exit);
        }

        var heartbeat = startedUtc is { } started ? await HeartbeatAsync(job, started, cancellationToken) : null;
        if (heartbeat is { State: JobState.Failed })
        {
            return new JobProgress(JobState.Failed, heartbeat.Step, heartbeat.TotalSteps, heartbeat.Message ?? "the job reported failure");
        }

        var fresh = (heartbeat?.UpdatedUtc ?? startedUtc) is { } seen && time.GetUtcNow() - seen < StaleAfter;
        return liveness switch
        {
            JobLiveness.Alive => Running(heartbeat),
            JobLiveness.Unknown when fresh => Running(heartbeat),
            JobLiveness.Unknown => new JobProgress(JobState.Lost, Message: $"no heartbeat for {StaleAfter} from a job this host cannot see"),
            _ => new JobProgress(JobState.Lost, Message: goneMessage),
        };
    }

    /// <summary>The exit record of this attempt, or null when there is none (not exited, or an earlier attempt's).</summary>
    public async Task<JobExitRecord?> ExitAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var record = (await store.ReadVersionedJsonAsync<JobExitRecord>(JobExitRecord.PathFor(job.Output), cancellationToken))?.Value;
        return record is { } r && r.JobId == job.JobId && r.Attempt == job.Attempt ? r : null;
    }

    /// <summary>Writes the exit record of an attempt unless the trainer already wrote one (its message says more).</summary>
    public async Task RecordExitAsync(JobHandle job, int exitCode, string? message, CancellationToken cancellationToken = default)
    {
        if (await ExitAsync(job, cancellationToken) is null)
        {
            var record = new JobExitRecord { JobId = job.JobId, Attempt = job.Attempt, ExitCode = exitCode, Message = message, FinishedUtc = time.GetUtcNow() };
            await store.OverwriteJsonAsync(JobExitRecord.PathFor(job.Output), record, cancellationToken: cancellationToken);
        }
    }

    private static JobProgress Exited(JobHandle job, JobExitRecord exit) =>
        new(JobState.Failed, Message: $"exited with code {exit.ExitCode} without a manifest{(exit.Message is null ? "" : $": {exit.Message}")}; log {ArtifactLayout.JobLog(job.JobId, job.Attempt)}")
        {
            Permanent = exit.ExitCode == JobExitCodes.InvalidSpec,
        };

    private static JobProgress Running(JobStatus? heartbeat) => heartbeat is null
        ? new JobProgress(JobState.Running, Message: "started, no heartbeat yet")
        : new JobProgress(JobState.Running, heartbeat.Step, heartbeat.TotalSteps, heartbeat.Message) { Metrics = heartbeat.Metrics };

    private async Task<JobProgress?> SucceededAsync(JobHandle job, CancellationToken cancellationToken)
    {
        var manifest = await ManifestWriter.TryReadAsync(store, job.Output, cancellationToken);
        if (manifest is null)
        {
            return null;
        }

        var reference = await store.GetRefAsync(StepManifest.PathFor(job.Output), cancellationToken)
            ?? throw new ArtifactNotFoundException(StepManifest.PathFor(job.Output));
        return new JobProgress(JobState.Succeeded, Message: "manifest written")
        {
            Manifest = reference,
            Outputs = manifest.Outputs,
            Metrics = manifest.Metrics,
        };
    }

    /// <summary>The heartbeat, if it is this attempt's (written after the process started).</summary>
    private async Task<JobStatus?> HeartbeatAsync(JobHandle job, DateTimeOffset startedUtc, CancellationToken cancellationToken)
    {
        var heartbeat = (await store.ReadVersionedJsonAsync<JobStatus>(JobStatus.PathFor(job.Output), cancellationToken))?.Value;
        return heartbeat is { } status && status.UpdatedUtc >= startedUtc.AddSeconds(-1) ? status : null;
    }
}

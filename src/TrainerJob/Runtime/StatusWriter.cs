using System.Text.Json;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// Writes the heartbeat document <c>{output}/status.json</c> (<see cref="JobStatus"/>) and, when the attempt ends, the exit
/// record <c>{output}/exit.json</c> (<see cref="JobExitRecord"/>): the job's two mutable blobs.
/// </summary>
public sealed class StatusWriter(IArtifactStore store, JobSpec spec, int attempt, TimeProvider time)
{
    private readonly string _path = JobStatus.PathFor(spec.Output);

    public int Attempt { get; } = attempt;

    /// <summary>The attempt number of a new start: the previous status's attempt + 1, or 1 for the first start.</summary>
    public static async Task<int> NextAttemptAsync(IArtifactStore store, JobSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(spec);
        var previous = await ReadAsync(store, spec.Output, cancellationToken).ConfigureAwait(false);
        return previous is { JobId: var id } && id == spec.JobId ? previous.Attempt + 1 : 1;
    }

    /// <summary>The status document under <paramref name="output"/>, or null when absent.</summary>
    public static async Task<JobStatus?> ReadAsync(IArtifactStore store, string output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var current = await store.ReadVersionedAsync(JobStatus.PathFor(output), cancellationToken).ConfigureAwait(false);
        return current is null ? null : JsonSerializer.Deserialize<JobStatus>(current.Content, JsonDefaults.Options);
    }

    public async Task WriteAsync(
        JobState state,
        long step,
        long totalSteps,
        IReadOnlyDictionary<string, double>? metrics,
        string? message = null,
        CancellationToken cancellationToken = default)
    {
        var status = new JobStatus
        {
            JobId = spec.JobId,
            Verb = spec.Verb,
            State = state,
            Attempt = Attempt,
            Step = step,
            TotalSteps = totalSteps,
            UpdatedUtc = time.GetUtcNow(),
            Message = message,
            // JSON has no NaN/Infinity; a diverged metric shows up in metrics.jsonl instead.
            Metrics = metrics?.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal),
            ProcessId = Environment.ProcessId,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(status, JsonDefaults.Indented);
        await store.OverwriteAsync(_path, bytes, ifMatchETag: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records how this attempt ends (<paramref name="exitCode"/>, the code the process is about to exit with), so a host
    /// that did not start the process learns it. Written after the final heartbeat and, on success, after the manifest.
    /// </summary>
    public async Task WriteExitAsync(int exitCode, string? message, CancellationToken cancellationToken = default)
    {
        var record = new JobExitRecord
        {
            JobId = spec.JobId,
            Attempt = JobExitRecord.RunnerAttempt(),
            ExitCode = exitCode,
            Message = message,
            FinishedUtc = time.GetUtcNow(),
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, JsonDefaults.Indented);
        await store.OverwriteAsync(JobExitRecord.PathFor(spec.Output), bytes, ifMatchETag: null, cancellationToken).ConfigureAwait(false);
    }
}

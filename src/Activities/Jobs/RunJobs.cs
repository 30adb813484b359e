using System.Globalization;
using System.Text.RegularExpressions;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// The trainer jobs of one run, found in the store: every <c>jobs/{jobId}/spec.json</c> whose job writes under
/// <c>runs/{runId}/</c> (job ids are <c>{runId}-{step}</c>, but another run's id may extend this one's, so the
/// spec's output decides). Used when a run is cancelled (its running jobs are stopped, whichever host started
/// them) and purged (the job folders go with the run).
/// <para>Cancel is final: <see cref="CancelUnfinishedAsync"/> first writes the run's cancel marker
/// (<see cref="CancelMarker"/>), then lists the jobs. A runner checks the marker before it records or starts an attempt
/// and again once the process is recorded, killing it if the marker appeared meanwhile, so a <c>SubmitJob</c> still in
/// flight during the cancel either is listed (its process record precedes the marker) or sees the marker. Purge keeps
/// the marker as a tombstone, so a submission delayed past the purge is still refused; starting a new run under the
/// same id releases it (<see cref="ReleaseIdAsync"/>).</para>
/// </summary>
public static partial class RunJobs
{
    /// <summary>One job of a run and its newest submitted attempt (0 when none was recorded).</summary>
    public sealed record RunJob(JobSpec Spec, int LatestAttempt)
    {
        public string Folder => $"jobs/{Spec.JobId}/";

        /// <summary>The handle of the newest attempt, of the runner the spec names (the one that started it).</summary>
        public JobHandle Handle => new(Spec.JobId, Spec.Verb, Spec.Output, LatestAttempt) { Runner = Spec.Runner };
    }

    public static async Task<IReadOnlyList<RunJob>> ListAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var attempts = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var path in store.ListAsync($"jobs/{runId}-", cancellationToken))
        {
            var parts = path.Split('/');
            if (parts.Length != 3)
            {
                continue;
            }

            var jobId = parts[1];
            var attempt = AttemptFile().Match(parts[2]) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            attempts[jobId] = Math.Max(attempts.GetValueOrDefault(jobId), attempt);
        }

        var runOutputs = ArtifactLayout.Run(runId) + "/";
        var jobs = new List<RunJob>();
        foreach (var (jobId, attempt) in attempts.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var specPath = ArtifactLayout.JobSpec(jobId);
            if (await store.ExistsAsync(specPath, cancellationToken)
                && await store.ReadJsonAsync<JobSpec>(specPath, cancellationToken) is { } spec
                && spec.Output.StartsWith(runOutputs, StringComparison.Ordinal))
            {
                jobs.Add(new RunJob(spec, attempt));
            }
        }

        return jobs;
    }

    /// <summary><c>jobs/cancelled/{runId}.json</c>: present from the cancel of a run until a new run takes its id.</summary>
    public static string CancelMarker(string runId) => $"jobs/cancelled/{runId}.json";

    /// <summary>The run a job writes for (<c>runs/{runId}/...</c>), or null for a job outside any run.</summary>
    public static string? RunOf(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Output.Split('/') is ["runs", var runId, _, ..] && runId.Length > 0 ? runId : null;
    }

    /// <summary>Whether the run of <paramref name="spec"/> was cancelled (its jobs must not start).</summary>
    public static async Task<bool> IsCancelledAsync(IArtifactStore store, JobSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return RunOf(spec) is { } runId && await store.ExistsAsync(CancelMarker(runId), cancellationToken);
    }

    /// <summary>
    /// Marks the run cancelled, then stops every job of the run that has no manifest yet; returns how many were asked to
    /// stop. Runners refuse to start a job of a marked run, so none starts after this returns.
    /// </summary>
    public static async Task<int> CancelUnfinishedAsync(IArtifactStore store, IJobRunner runner, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runner);
        await store.OverwriteJsonAsync(CancelMarker(runId), new RunCancelMarker(runId, DateTimeOffset.UtcNow), cancellationToken: cancellationToken);
        var cancelled = 0;
        foreach (var job in await ListAsync(store, runId, cancellationToken))
        {
            if (job.LatestAttempt > 0 && !await store.ExistsAsync(StepManifest.PathFor(job.Spec.Output), cancellationToken))
            {
                await runner.CancelAsync(job.Handle, cancellationToken);
                cancelled++;
            }
        }

        return cancelled;
    }

    /// <summary>
    /// Deletes the run's job folders (specs, attempt records, process records, logs); returns the blobs deleted. The cancel
    /// marker stays, as a tombstone: a <c>SubmitJob</c> of the purged run that arrives even later is refused.
    /// </summary>
    public static async Task<int> DeleteAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var deleted = 0;
        foreach (var job in await ListAsync(store, runId, cancellationToken))
        {
            deleted += await store.DeletePrefixAsync(job.Folder, cancellationToken);
        }

        return deleted;
    }

    /// <summary>Removes a cancelled (and purged) run's tombstone, right before a new run is started under its id.</summary>
    public static Task<int> ReleaseIdAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.DeletePrefixAsync(CancelMarker(runId), cancellationToken);
    }

    /// <summary>The content of <see cref="CancelMarker"/>.</summary>
    public sealed record RunCancelMarker(string RunId, DateTimeOffset CancelledUtc);

    [GeneratedRegex(@"^attempt-(\d+)\.json$")]
    private static partial Regex AttemptFile();
}

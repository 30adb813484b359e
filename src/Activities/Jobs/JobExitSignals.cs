using System.Collections.Concurrent;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Core;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// Wakes a job's monitor when the job's process exits, so the next stage starts at once instead of after the rest of
/// a poll interval (on a short stage that wait was most of the orchestration overhead). <c>SubmitJob</c> records which
/// orchestration instance watches a job; the runner reports the exit; the monitor (<c>RunTrainingJob</c>) waits for
/// <see cref="TaskNames.JobExitedEvent"/> with its poll interval as the timeout, so a lost signal (host restart, a
/// host without a <see cref="DurableTaskClient"/> service, a remote runner) only costs the poll it always had.
/// </summary>
public sealed class JobExitSignals(IServiceProvider services, ILogger<JobExitSignals> logger)
{
    private readonly ConcurrentDictionary<(string JobId, int Attempt), string> _monitors = new();

    /// <summary>Remembers that orchestration <paramref name="instanceId"/> waits on <paramref name="job"/>.</summary>
    public void Watch(JobHandle job, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(job);
        _monitors[(job.JobId, job.Attempt)] = instanceId;
    }

    /// <summary>Raises the exit event on the watching instance, if any; never throws (the monitor polls anyway).</summary>
    public async Task NotifyExitedAsync(string jobId, int attempt)
    {
        if (!_monitors.TryRemove((jobId, attempt), out var instanceId) || services.GetService<DurableTaskClient>() is not { } client)
        {
            return;
        }

        try
        {
            await client.RaiseEventAsync(instanceId, TaskNames.JobExitedEvent(attempt), jobId);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug(e, "Could not signal the exit of job {JobId} attempt {Attempt} to {Instance}; its monitor will poll", jobId, attempt, instanceId);
        }
    }
}

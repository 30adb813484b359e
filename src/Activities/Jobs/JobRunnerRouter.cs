using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// The one <see cref="IJobRunner"/> the activities and the API use: a job goes to the runner of its spec's kind
/// (<c>compute.runner</c>), and its status and cancel to the runner named by its handle, the one that started it. Every
/// <see cref="JobRunnerKind"/> must have exactly one runner, checked when the router is built (at start-up), so a new kind
/// can never fall through to another runner.
/// </summary>
public sealed class JobRunnerRouter : IJobRunner
{
    private readonly Dictionary<JobRunnerKind, IJobRunnerOfKind> _runners;

    public JobRunnerRouter(IEnumerable<IJobRunnerOfKind> runners)
    {
        ArgumentNullException.ThrowIfNull(runners);
        var byKind = runners.GroupBy(r => r.Kind).ToList();
        var missing = Enum.GetValues<JobRunnerKind>().Except(byKind.Select(g => g.Key)).ToList();
        var doubled = byKind.Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (missing.Count > 0 || doubled.Count > 0)
        {
            throw new InvalidOperationException(
                $"Every job runner kind needs exactly one runner; missing: [{string.Join(", ", missing)}], more than one: [{string.Join(", ", doubled)}].");
        }

        _runners = byKind.ToDictionary(g => g.Key, g => g.Single());
    }

    public async Task<JobHandle> SubmitAsync(JobSpec spec, int attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var handle = await _runners[spec.Runner].SubmitAsync(spec, attempt, cancellationToken);
        return handle.Runner == spec.Runner
            ? handle
            : throw new InvalidOperationException($"The {spec.Runner} runner returned a handle of the {handle.Runner} runner for job '{spec.JobId}'.");
    }

    public Task<JobProgress> GetStatusAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return _runners[job.Runner].GetStatusAsync(job, cancellationToken);
    }

    public Task CancelAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return _runners[job.Runner].CancelAsync(job, cancellationToken);
    }
}

using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>What one firing of the nightly schedule did.</summary>
public enum NightlyOutcome
{
    Started,
    AlreadyStartedForSlot,
    PreviousStillRunning,
}

/// <summary>
/// Starts the nightly retraining run (<c>NightlyRetrain</c>), shared by the local host's schedule and the Function App's TimerTrigger.
/// Never two at once: the instance id is fixed per schedule slot (<c>nightly-{slot}</c>), and a slot is skipped
/// while an earlier nightly run is still going.
/// </summary>
public static class NightlyRuns
{
    public const string IdPrefix = "nightly-";

    /// <summary>What a firing did, in words both hosts log: "started {id}", "already started as {id}", "skipped: the previous nightly run {id} is still running".</summary>
    public static string Describe(NightlyOutcome outcome, string runId) => outcome switch
    {
        NightlyOutcome.Started => $"started {runId}",
        NightlyOutcome.AlreadyStartedForSlot => $"already started as {runId}",
        NightlyOutcome.PreviousStillRunning => $"skipped: the previous nightly run {runId} is still running",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static string IdFor(DateTimeOffset slotUtc) =>
        IdPrefix + slotUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static async Task<(NightlyOutcome Outcome, string RunId)> StartAsync(
        DurableTaskClient client, RunSpec spec, string store, DateTimeOffset slotUtc, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var runId = IdFor(slotUtc);
        if (await client.GetInstanceAsync(runId, cancellationToken) is not null)
        {
            return (NightlyOutcome.AlreadyStartedForSlot, runId);
        }

        var active = new OrchestrationQuery
        {
            InstanceIdPrefix = IdPrefix,
            Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended],
            PageSize = 10,
        };
        await foreach (var running in client.GetAllInstancesAsync(active).WithCancellation(cancellationToken))
        {
            if (running.Name == TaskNames.NightlyRetrain)
            {
                return (NightlyOutcome.PreviousStillRunning, running.InstanceId);
            }
        }

        try
        {
            var start = new StartOrchestrationOptions(runId).WithDedupeStatuses(Enum.GetValues<OrchestrationRuntimeStatus>());
            await client.ScheduleNewOrchestrationInstanceAsync(TaskNames.NightlyRetrain, new NightlyRetrainInput(runId, spec, store), start, cancellationToken);
            return (NightlyOutcome.Started, runId);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Another host fired the same slot first.
            if (await client.GetInstanceAsync(runId, cancellationToken) is not null)
            {
                return (NightlyOutcome.AlreadyStartedForSlot, runId);
            }

            throw;
        }
    }
}

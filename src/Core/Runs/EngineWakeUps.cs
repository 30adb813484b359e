using Rlhf.Core.Artifacts;

namespace Rlhf.Core.Runs;

/// <summary>One durable timer the host re-fired because its wake-up was lost (the engine never delivered its TimerFired).</summary>
/// <param name="InstanceId">The orchestration instance that was stuck (e.g. <c>{runId}:sft</c>).</param>
/// <param name="TimerId">The timer's event id in that instance's history.</param>
/// <param name="DueUtc">When the timer should have fired.</param>
/// <param name="WokenUtc">When the host re-sent it.</param>
public sealed record EngineWakeUp(string InstanceId, int TimerId, DateTime DueUtc, DateTime WokenUtc);

/// <summary>
/// The wake-ups of a run (<c>runs/{runId}/engine/wakeups.json</c>), written by the host's overdue-timer sweep and shown in
/// the run's status, so a lost message is visible to the user, not only in the host's log.
/// </summary>
public static class EngineWakeUps
{
    public static string PathFor(string runId) => $"runs/{runId}/engine/wakeups.json";

    /// <summary>The run an instance belongs to: its id up to the first ':' (sub-orchestrations are <c>{runId}:{step}</c>).</summary>
    public static string RunOf(string instanceId)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        var colon = instanceId.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? instanceId : instanceId[..colon];
    }

    public static async Task<IReadOnlyList<EngineWakeUp>> ReadAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (await store.ReadVersionedJsonAsync<List<EngineWakeUp>>(PathFor(runId), cancellationToken))?.Value ?? [];
    }

    /// <summary>Adds one wake-up to its run's record (one writer: the host's sweep).</summary>
    public static async Task AppendAsync(IArtifactStore store, EngineWakeUp wakeUp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(wakeUp);
        var runId = RunOf(wakeUp.InstanceId);
        var all = (await ReadAsync(store, runId, cancellationToken)).Append(wakeUp).ToList();
        await store.OverwriteJsonAsync(PathFor(runId), all, cancellationToken: cancellationToken);
    }
}

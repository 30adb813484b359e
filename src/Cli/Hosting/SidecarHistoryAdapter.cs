using DurableTask.Core;
using DurableTask.Core.History;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// Sits between the gRPC sidecar's dispatchers and the Azure Storage provider. The sidecar records sub-orchestration
/// starts as its own <c>GrpcSubOrchestrationInstanceCreatedEvent</c> subclass (with protobuf tags), which the
/// storage provider's table converter writes without an <c>EventType</c>; the parent's history then cannot be
/// read back and the run hangs. Before a work item is saved, such events are replaced by the plain
/// <see cref="SubOrchestrationInstanceCreatedEvent"/> with the same data.
/// <para>
/// Timer messages are delayed by one second (<see cref="TimerResolution"/>): the provider enqueues a timer as a queue
/// message whose visibility delay is <c>FireAt - now</c> in whole seconds, truncated, so a 1 s timer became visible at
/// once (measured: a 1 s timer before each call gave 15-62 ms gaps, and the tiny run's job monitors polled every 60 ms).
/// Shifted by one second a timer fires between its due time and one second later, never early.
/// </para>
/// <para>
/// Trace context the two lose between them (the created event's, and a continued-as-new execution's) is kept and
/// restored by <see cref="SidecarTraceContext"/>, so a run stays one trace (docs/telemetry.md).
/// </para>
/// Everything else is passed through.
/// </summary>
public sealed class SidecarHistoryAdapter(IOrchestrationService inner) : IOrchestrationService
{
    private int _started;

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;
    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;
    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;
    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        ArgumentNullException.ThrowIfNull(newOrchestrationRuntimeState);
        DelayTimers(timerMessages);
        SidecarTraceContext.CarryOverContinueAsNew(workItem, newOrchestrationRuntimeState);
        Normalize(newOrchestrationRuntimeState.Events);
        Normalize(newOrchestrationRuntimeState.NewEvents);
        if (!ReferenceEquals(workItem.OrchestrationRuntimeState, newOrchestrationRuntimeState) && workItem.OrchestrationRuntimeState is { } current)
        {
            Normalize(current.Events);
            Normalize(current.NewEvents);
        }

        return inner.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    /// <summary>Resolution of the provider's timer delay (queue message visibility, whole seconds, truncated).</summary>
    public static readonly TimeSpan TimerResolution = TimeSpan.FromSeconds(1);

    /// <summary>Moves every timer message's due time one <see cref="TimerResolution"/> later, in place.</summary>
    internal static void DelayTimers(IList<TaskMessage>? timerMessages)
    {
        for (var i = 0; i < (timerMessages?.Count ?? 0); i++)
        {
            if (timerMessages![i].Event is TimerFiredEvent fired)
            {
                fired.FireAt = fired.FireAt.Add(TimerResolution);
            }
        }
    }

    /// <summary>Replaces sidecar subclasses of history events by their DurableTask.Core base type, in place.</summary>
    internal static void Normalize(IList<HistoryEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent))
            {
                events[i] = new SubOrchestrationInstanceCreatedEvent(created.EventId)
                {
                    Name = created.Name,
                    Version = created.Version,
                    InstanceId = created.InstanceId,
                    Input = created.Input,
                    Timestamp = created.Timestamp,
                    IsPlayed = created.IsPlayed,
                    ClientSpanId = SidecarTraceContext.KeepClientSpan(created),
                    Tags = created.Tags is null ? null : new Dictionary<string, string>(created.Tags),
                };
            }
        }
    }

    public async Task StartAsync()
    {
        await inner.StartAsync();
        Interlocked.Exchange(ref _started, 1);
    }

    // The sidecar starts the engine only once a worker connects, and stops it when the host stops (from an async void
    // callback). The Azure Storage engine's StopAsync throws a NullReferenceException when it never started, which there
    // crashed the process: a host stopped within a second of its start (tests, several hosts in one process). Only a
    // started engine is stopped.
    public Task StopAsync() => Interlocked.Exchange(ref _started, 0) == 1 ? inner.StopAsync() : Task.CompletedTask;

    public Task StopAsync(bool isForced) => Interlocked.Exchange(ref _started, 0) == 1 ? inner.StopAsync(isForced) : Task.CompletedTask;
    public Task CreateAsync() => inner.CreateAsync();
    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);
    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();
    public Task DeleteAsync() => inner.DeleteAsync();
    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);
    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var workItem = await inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
        SidecarTraceContext.OnLocked(workItem);
        return workItem;
    }

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);
    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);
    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) => inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);
    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) => inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => inner.AbandonTaskActivityWorkItemAsync(workItem);
}

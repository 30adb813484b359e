using System.Diagnostics;
using System.Runtime.CompilerServices;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Tracing;
using Microsoft.DurableTask.Testing.Sidecar.Dispatcher;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// Keeps the Durable Task SDK's distributed trace whole across what the gRPC sidecar and the Azure Storage provider lose
/// between them (used by <see cref="SidecarHistoryAdapter"/>). The SDK links a parent's span to a sub-orchestration's
/// through the trace context of the sub-orchestration's created event, and every span of an orchestration to the trace
/// context of its execution-started event; the engine stores both in history, and:
/// <list type="bullet">
/// <item>the created event must be stored as the plain <see cref="SubOrchestrationInstanceCreatedEvent"/> (the adapter's
/// <see cref="SidecarHistoryAdapter.Normalize"/>), which has no trace context, only <see cref="SubOrchestrationInstanceCreatedEvent.ClientSpanId"/>:
/// the span id is kept there on the way to storage (<see cref="KeepClientSpan"/>) and the sidecar's event with its trace
/// context is rebuilt when history is read (<see cref="RestoreSubOrchestrationContexts"/>);</item>
/// <item>the sidecar starts a continued-as-new execution without the trace context of the one it replaces: it is carried
/// over (<see cref="CarryOverContinueAsNew"/>), and activities the new execution scheduled before that get a context in
/// the same trace.</item>
/// </list>
/// Only trace ids and span ids are touched, never what the orchestrations see, so replays are unchanged.
/// </summary>
internal static class SidecarTraceContext
{
    /// <summary>The execution context each locked work item started with, for <see cref="CarryOverContinueAsNew"/>.</summary>
    private static readonly ConditionalWeakTable<TaskOrchestrationWorkItem, DistributedTraceContext> Started = new();

    /// <summary>On lock: remembers the execution's trace context and rebuilds the sub-orchestration events' contexts.</summary>
    public static void OnLocked(TaskOrchestrationWorkItem? workItem)
    {
        if (workItem?.OrchestrationRuntimeState is not { } state)
        {
            return;
        }

        var started = state.ExecutionStartedEvent?.ParentTraceContext
            ?? workItem.NewMessages?.Select(m => m.Event).OfType<ExecutionStartedEvent>().FirstOrDefault()?.ParentTraceContext;
        if (started is not null)
        {
            Started.AddOrUpdate(workItem, started);
            // the sidecar hands the worker PastEvents, a list of its own next to Events
            RestoreSubOrchestrationContexts(state.Events, started);
            RestoreSubOrchestrationContexts(state.PastEvents, started);
            RestoreSubOrchestrationContexts(state.NewEvents, started);
        }
    }

    /// <summary>
    /// After a continue-as-new (the work item's state now starts without a trace context): gives the new execution its
    /// predecessor's trace parent (a new span of its own follows on its next episode), and every activity it has
    /// scheduled without a context one in the same trace.
    /// </summary>
    public static void CarryOverContinueAsNew(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState state)
    {
        if (state.ExecutionStartedEvent is not { ParentTraceContext: null } started || !Started.TryGetValue(workItem, out var previous))
        {
            return;
        }

        started.ParentTraceContext = new DistributedTraceContext(previous.TraceParent, previous.TraceState);
        foreach (var scheduled in state.Events.Concat(state.NewEvents).OfType<TaskScheduledEvent>().Where(e => e.ParentTraceContext is null))
        {
            scheduled.ParentTraceContext = NewClientContext(previous);
        }
    }

    /// <summary>On the way to storage: the sidecar's created event keeps its client span id in the plain event's field.</summary>
    public static string? KeepClientSpan(SubOrchestrationInstanceCreatedEvent created) =>
        created.ClientSpanId
        ?? (created is GrpcSubOrchestrationInstanceCreatedEvent { ParentTraceContext: { } context } && ActivityContext.TryParse(context.TraceParent, context.TraceState, out var parsed)
            ? parsed.SpanId.ToHexString()
            : null);

    /// <summary>Replaces plain created events that carry a client span id by the sidecar's event, with the trace context rebuilt.</summary>
    internal static void RestoreSubOrchestrationContexts(IList<HistoryEvent> events, DistributedTraceContext execution)
    {
        if (!ActivityContext.TryParse(execution.TraceParent, execution.TraceState, out var trace))
        {
            return;
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent { ClientSpanId: { Length: 16 } spanId } created && created is not GrpcSubOrchestrationInstanceCreatedEvent)
            {
                events[i] = new GrpcSubOrchestrationInstanceCreatedEvent(created.EventId)
                {
                    Name = created.Name,
                    Version = created.Version,
                    InstanceId = created.InstanceId,
                    Input = created.Input,
                    Timestamp = created.Timestamp,
                    IsPlayed = created.IsPlayed,
                    ClientSpanId = spanId,
                    Tags = created.Tags is null ? null : new Dictionary<string, string>(created.Tags),
                    ParentTraceContext = new DistributedTraceContext(TraceParent(trace.TraceId, spanId, trace.TraceFlags), execution.TraceState),
                };
            }
        }
    }

    private static DistributedTraceContext NewClientContext(DistributedTraceContext execution) =>
        ActivityContext.TryParse(execution.TraceParent, execution.TraceState, out var trace)
            ? new DistributedTraceContext(TraceParent(trace.TraceId, ActivitySpanId.CreateRandom().ToHexString(), trace.TraceFlags), execution.TraceState)
            : new DistributedTraceContext(execution.TraceParent, execution.TraceState);

    private static string TraceParent(ActivityTraceId traceId, string spanId, ActivityTraceFlags flags) =>
        $"00-{traceId.ToHexString()}-{spanId}-{(flags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00")}";
}

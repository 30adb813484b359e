using System.Diagnostics;
using OpenTelemetry;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// Adds <see cref="TelemetryAttributes.RunId"/> and <see cref="TelemetryAttributes.Step"/> to the Durable Task SDK's spans
/// (<c>orchestration:RlhfRun</c>, <c>activity:SubmitJob</c>, ...), read from their instance id: a run's orchestration is
/// the run id, its sub-orchestrations <c>{runId}:{step}</c> (<c>r1:samples:shard-0</c>). A processor, so the orchestrator
/// code never touches a span (it must replay deterministically); it runs before the exporters.
/// </summary>
public sealed class DurableSpanEnricher : BaseProcessor<Activity>
{
    /// <summary>The instance-id tag of durabletask-dotnet's spans.</summary>
    public const string InstanceIdTag = "durabletask.task.instance_id";

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Source.Name != RlhfTelemetry.DurableTaskSourceName || data.GetTagItem(InstanceIdTag) is not string { Length: > 0 } instanceId)
        {
            return;
        }

        var colon = instanceId.IndexOf(':', StringComparison.Ordinal);
        data.SetTag(TelemetryAttributes.RunId, colon < 0 ? instanceId : instanceId[..colon]);
        if (colon > 0)
        {
            data.SetTag(TelemetryAttributes.Step, instanceId[(colon + 1)..]);
        }
    }
}

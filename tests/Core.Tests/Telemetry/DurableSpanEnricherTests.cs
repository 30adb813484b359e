using System.Diagnostics;
using Rlhf.Core.Telemetry;

namespace Rlhf.Core.Tests.Telemetry;

/// <summary>The Durable Task SDK's spans get the run id and step from their instance id; other spans are left alone.</summary>
public sealed class DurableSpanEnricherTests : IDisposable
{
    private readonly ActivitySource _durable = new(RlhfTelemetry.DurableTaskSourceName);
    private readonly ActivitySource _other = new("test.enricher");
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = s => s.Name is RlhfTelemetry.DurableTaskSourceName or "test.enricher",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public DurableSpanEnricherTests() => ActivitySource.AddActivityListener(_listener);

    public void Dispose()
    {
        _listener.Dispose();
        _durable.Dispose();
        _other.Dispose();
    }

    [Theory]
    [InlineData("r1", "r1", null)]
    [InlineData("r1:sft", "r1", "sft")]
    [InlineData("r1:samples:shard-0", "r1", "samples:shard-0")]
    public void Instance_ids_give_run_and_step(string instanceId, string runId, string? step)
    {
        using var span = _durable.StartActivity("orchestration:RunTrainingJob")!;
        span.SetTag(DurableSpanEnricher.InstanceIdTag, instanceId);

        new DurableSpanEnricher().OnEnd(span);

        Assert.Equal(runId, span.GetTagItem(TelemetryAttributes.RunId));
        Assert.Equal(step, span.GetTagItem(TelemetryAttributes.Step));
    }

    [Fact]
    public void Spans_of_other_sources_are_not_touched()
    {
        using var span = _other.StartActivity("x")!;
        span.SetTag(DurableSpanEnricher.InstanceIdTag, "r1:sft");

        new DurableSpanEnricher().OnEnd(span);

        Assert.Null(span.GetTagItem(TelemetryAttributes.RunId));
    }
}

using System.Diagnostics;
using Rlhf.Core.Jobs;
using Rlhf.Core.Telemetry;

namespace Rlhf.Core.Tests.Telemetry;

/// <summary>The trace context a job runner hands to a trainer (TRACEPARENT / TRACESTATE) and the spans on both sides.</summary>
public sealed class TraceParentTests : IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = s => s.Name is RlhfTelemetry.Name or "test.traceparent",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    private readonly ActivitySource _source = new("test.traceparent");

    public TraceParentTests() => ActivitySource.AddActivityListener(_listener);

    public void Dispose()
    {
        _listener.Dispose();
        _source.Dispose();
    }

    [Fact]
    public void A_job_started_under_a_span_gets_its_traceparent_and_state_and_a_stale_one_is_replaced_or_removed()
    {
        var environment = new Dictionary<string, string?> { [TraceParent.Variable] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        using (var span = _source.StartActivity("submit"))
        {
            span!.TraceStateString = "rlhf=1";
            TraceParent.Apply(environment);

            Assert.Equal(span.Id, environment[TraceParent.Variable]);
            Assert.StartsWith($"00-{span.TraceId}-{span.SpanId}-0", environment[TraceParent.Variable], StringComparison.Ordinal);
            Assert.Equal("rlhf=1", environment[TraceParent.StateVariable]);
        }

        // no current span (telemetry off): the host's own TRACEPARENT must not leak into the job
        TraceParent.Apply(environment);
        Assert.False(environment.ContainsKey(TraceParent.Variable));
        Assert.False(environment.ContainsKey(TraceParent.StateVariable));
    }

    [Fact]
    public void The_trainer_parents_its_attempt_span_to_the_traceparent_it_was_given()
    {
        var spec = new JobSpec { Verb = JobVerbs.Ppo, JobId = "r1-ppo", Store = "/tmp/store", Output = "runs/r1/ppo" };
        var environment = new Dictionary<string, string?>
        {
            [TraceParent.Variable] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            [TraceParent.StateVariable] = "rlhf=1",
        };

        using var attempt = JobTelemetry.StartAttempt(spec, 2, TraceParent.FromEnvironment(environment.GetValueOrDefault));

        Assert.NotNull(attempt);
        Assert.Equal(("trainer ppo", ActivityKind.Consumer), (attempt.DisplayName, attempt.Kind));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", attempt.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", attempt.ParentSpanId.ToHexString());
        Assert.Equal("rlhf=1", attempt.TraceStateString);
        Assert.Equal(
            [("rlhf.run.id", "r1"), ("rlhf.step", "ppo"), ("rlhf.job.id", "r1-ppo"), ("rlhf.job.verb", "ppo"), ("rlhf.job.attempt", (object)2)],
            attempt.TagObjects.Select(t => (t.Key, t.Value!)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-traceparent")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    public void Without_a_valid_traceparent_the_attempt_span_is_a_root(string? traceparent)
    {
        Assert.Null(TraceParent.FromEnvironment(n => n == TraceParent.Variable ? traceparent : null));
    }
}

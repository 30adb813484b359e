using System.Diagnostics;
using System.Text.Json.Nodes;
using Rlhf.Core.Jobs;
using Rlhf.Core.Telemetry;
using Rlhf.TrainerJob.Tests.Verbs;
using Rlhf.Tests.Shared.Telemetry;

namespace Rlhf.TrainerJob.Tests.Runtime;

/// <summary>
/// The trainer process's one span per attempt leaves the process however the attempt ends: here a real
/// <c>rlhf-trainer</c> exports to a loopback OTLP receiver when it is cancelled with SIGTERM mid-training and when its
/// job is invalid, parented to the <c>TRACEPARENT</c> its runner gave it.
/// </summary>
public sealed class AttemptTelemetryTests : IAsyncLifetime
{
    private const string Parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private readonly TrainerWorkspace _workspace = new();
    private readonly OtlpReceiver _collector = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _collector.DisposeAsync();
        _workspace.Dispose();
    }

    [Fact]
    public async Task A_cancelled_attempt_exports_its_span_with_progress_and_its_metrics_before_it_exits()
    {
        var spec = _workspace.WriteSpec(
            _workspace.Spec("sft", "r1-sft", "runs/r1/sft", new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath }, SftVerbTests.TinyParams(100_000)), "long");
        using var trainer = _workspace.Start("sft", spec, environment: Environment(attempt: 3));
        var error = trainer.StandardError.ReadToEndAsync();

        // SIGTERM once it trains (its first progress line), as a runner's cancel does
        string? line;
        while ((line = await trainer.StandardOutput.ReadLineAsync()) is not null && !line.StartsWith("[sft] step 10/", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        using (var kill = Process.Start("kill", ["-TERM", trainer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        _ = trainer.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await trainer.WaitForExitAsync(timeout.Token);
        Assert.True(trainer.ExitCode == JobExitCodes.Failed, await error);

        var span = Assert.Single(_collector.Spans);
        Assert.Equal(("trainer sft", "rlhf-trainer", 5), (span.Name, span.Service, span.Kind));
        Assert.Equal(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"), (span.TraceId, span.ParentSpanId));
        Assert.Equal(("r1", "sft", "r1-sft", 3L, "cancelled"), (
            span.Attributes[TelemetryAttributes.RunId], span.Attributes[TelemetryAttributes.Step], span.Attributes[TelemetryAttributes.JobId],
            span.Attributes[TelemetryAttributes.JobAttempt], span.Attributes[TelemetryAttributes.Outcome]));
        Assert.Equal(2, span.StatusCode); // error: the attempt did not complete
        var progress = span.Events.Where(e => e.Name == "progress").ToList();
        Assert.Contains(progress, e => Equals(e.Attributes[TelemetryAttributes.TrainingStep], 10L));
        Assert.All(progress, e => Assert.Equal(100_000L, e.Attributes[TelemetryAttributes.TrainingTotalSteps]));
        Assert.Contains("rlhf.metric.sft.loss", progress[^1].Attributes.Keys);

        var metrics = _collector.Metrics;
        Assert.Equal(0, Assert.Single(metrics.Where(m => m.Name == "rlhf.jobs.running").SelectMany(m => m.Points)).Value);
        var duration = Assert.Single(metrics.Where(m => m.Name == "rlhf.job.duration").SelectMany(m => m.Points));
        Assert.Equal(("sft", "cancelled", 1.0), ((string)duration.Attributes[TelemetryAttributes.JobVerb], (string)duration.Attributes[TelemetryAttributes.Outcome], duration.Value));
        Assert.Empty(_collector.Errors);
    }

    [Fact]
    public async Task An_invalid_job_exports_its_span_with_the_error()
    {
        var spec = _workspace.WriteSpec(
            _workspace.Spec("sft", "r2-sft", "runs/r2/sft", new JsonObject { ["corpus"] = "data/missing.txt" }, SftVerbTests.TinyParams(10)), "invalid");

        var run = await _workspace.RunProcessAsync("sft", spec, environment: Environment(attempt: 1));

        Assert.Equal(JobExitCodes.InvalidSpec, run.ExitCode);
        var span = Assert.Single(_collector.Spans);
        Assert.Equal(("trainer sft", "invalid", 2), (span.Name, span.Attributes[TelemetryAttributes.Outcome], span.StatusCode));
        Assert.Equal("00f067aa0ba902b7", span.ParentSpanId);
        var exception = Assert.Single(span.Events, e => e.Name == "exception");
        Assert.Contains("data/missing.txt", (string)exception.Attributes["exception.message"], StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment(int attempt) => new(_collector.Environment)
    {
        [TraceParent.Variable] = Parent,
        [JobExitRecord.AttemptVariable] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

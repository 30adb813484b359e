using System.Diagnostics;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Telemetry;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// The telemetry of one trainer attempt: the span <c>trainer {verb}</c> (<see cref="JobTelemetry.StartAttempt"/>),
/// parented to the submitter's span through <c>TRACEPARENT</c> and starting when the process started, with events
/// <c>progress</c> (on the progress-line cadence), <c>checkpoint</c> and <c>resumed</c>; and the metrics
/// <c>rlhf.jobs.running</c>, <c>rlhf.job.queue.wait_time</c> and <c>rlhf.job.duration</c>. Everything is a no-op while no
/// provider listens (<see cref="TrainerTelemetry"/> builds one only when an exporter is configured).
/// </summary>
public sealed class AttemptTelemetry : IDisposable
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>The spec or an input was invalid (exit code 2): deterministic, not retried.</summary>
    public const string Invalid = "invalid";

    /// <summary>The job's manifest already existed: nothing to do.</summary>
    public const string Complete = "complete";

    private readonly TagList _tags;
    private readonly DateTimeOffset _processStart;
    private readonly Activity? _span;
    private string? _outcome;

    private AttemptTelemetry(JobSpec spec, int attempt, ActivityContext? parent, DateTimeOffset processStart)
    {
        Spec = spec;
        Attempt = attempt;
        _processStart = processStart;
        _tags = new TagList { { TelemetryAttributes.JobVerb, spec.Verb } };
        _span = JobTelemetry.StartAttempt(spec, attempt, parent, processStart);
        PipelineMetrics.JobsRunning.Add(1, _tags);
    }

    public JobSpec Spec { get; }

    /// <summary>The runner's attempt number (<see cref="JobExitRecord.AttemptVariable"/>), 0 when started by hand.</summary>
    public int Attempt { get; }

    /// <summary>The attempt's span, or null when nobody records.</summary>
    public Activity? Span => _span;

    /// <summary>Starts the attempt's telemetry, parented to <c>TRACEPARENT</c> from <paramref name="environment"/>.</summary>
    public static AttemptTelemetry Begin(JobSpec spec, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environment);
        using var self = Process.GetCurrentProcess();
        return new AttemptTelemetry(spec, JobExitRecord.RunnerAttempt(), TraceParent.FromEnvironment(environment), self.StartTime.ToUniversalTime());
    }

    /// <summary>
    /// Records <c>rlhf.job.queue.wait_time</c>: from the runner's record of this attempt's submission
    /// (<c>jobs/{jobId}/attempt-{n}.json</c>) to this process's start. Skipped when nobody listens, when the trainer was
    /// started by hand (attempt 0) or when the record is missing.
    /// </summary>
    public async Task RecordQueueWaitAsync(IArtifactStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var path = ArtifactLayout.JobAttempt(Spec.JobId, Attempt);
        if (!PipelineMetrics.QueueWait.Enabled || Attempt <= 0 || !await store.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var submitted = (await store.ReadJsonAsync<SubmittedAttempt>(path, cancellationToken).ConfigureAwait(false)).SubmittedUtc;
        // clocks of two machines (or /proc's 10 ms ticks on one) can put the start a hair before the submission
        var wait = Math.Max(0, (_processStart - submitted).TotalSeconds);
        _span?.SetTag(TelemetryAttributes.QueueWait, wait);
        PipelineMetrics.QueueWait.Record(wait, _tags);
    }

    /// <summary>A <c>progress</c> event: the step, the total and the step's metrics (finite ones).</summary>
    public void Progress(long step, long totalSteps, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (_span is not { IsAllDataRequested: true })
        {
            return;
        }

        var tags = new ActivityTagsCollection
        {
            [TelemetryAttributes.TrainingStep] = step,
            [TelemetryAttributes.TrainingTotalSteps] = totalSteps,
        };
        foreach (var (key, value) in metrics.Where(m => double.IsFinite(m.Value)))
        {
            tags[$"rlhf.metric.{key.Replace('/', '.')}"] = value;
        }

        _span.AddEvent(new ActivityEvent("progress", tags: tags));
    }

    /// <summary>A <c>checkpoint</c> event: a checkpoint of <paramref name="step"/> was written at <paramref name="path"/>.</summary>
    public void Checkpoint(long step, string path) => StepEvent("checkpoint", step, path);

    /// <summary>A <c>resumed</c> event: the attempt resumed from the checkpoint of <paramref name="step"/>.</summary>
    public void Resumed(long step, string path) => StepEvent("resumed", step, path);

    /// <summary>Ends the attempt (once) with <paramref name="outcome"/>, one of the constants above; the span's status is an error unless it succeeded.</summary>
    public void End(string outcome, Exception? error = null)
    {
        if (_outcome is not null)
        {
            return;
        }

        _outcome = outcome;
        if (_span is not null)
        {
            _span.SetTag(TelemetryAttributes.Outcome, outcome);
            if (outcome is Succeeded or Complete)
            {
                _span.SetStatus(ActivityStatusCode.Ok);
            }
            else
            {
                if (error is not null && outcome != Cancelled)
                {
                    _span.AddException(error);
                }

                _span.SetStatus(ActivityStatusCode.Error, error?.Message ?? outcome);
            }
        }

        var tags = _tags;
        tags.Add(TelemetryAttributes.Outcome, outcome);
        PipelineMetrics.JobDuration.Record(Math.Max(0, (DateTimeOffset.UtcNow - _processStart).TotalSeconds), tags);
        PipelineMetrics.JobsRunning.Add(-1, _tags);
        _span?.Stop();
    }

    /// <summary>Ends as <c>failed</c> if nothing ended the attempt before (a path that returned without saying how).</summary>
    public void Dispose()
    {
        End(Failed);
        _span?.Dispose();
    }

    private void StepEvent(string name, long step, string path) =>
        _span?.AddEvent(new ActivityEvent(name, tags: new ActivityTagsCollection
        {
            [TelemetryAttributes.TrainingStep] = step,
            ["rlhf.checkpoint.path"] = path,
        }));

    private sealed record SubmittedAttempt(DateTimeOffset SubmittedUtc);
}

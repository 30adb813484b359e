using System.Diagnostics;
using Rlhf.Core.Jobs;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// The two spans of a trainer job attempt: <c>submit {verb}</c> (producer), opened by the <c>SubmitJob</c> activity while
/// the runner starts the attempt, and <c>trainer {verb}</c> (consumer), the trainer process's one span for the attempt,
/// parented to the first through <see cref="TraceParent"/>. Both carry the run, step, job, verb and attempt.
/// </summary>
public static class JobTelemetry
{
    public static string SubmitSpanName(string verb) => $"submit {verb}";

    public static string AttemptSpanName(string verb) => $"trainer {verb}";

    /// <summary>Opens <c>submit {verb}</c> under the current span (the <c>SubmitJob</c> activity's), or null when nobody listens.</summary>
    public static Activity? StartSubmit(JobSpec spec, int attempt)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var activity = RlhfTelemetry.Source.StartActivity(SubmitSpanName(spec.Verb), ActivityKind.Producer);
        Tag(activity, spec, attempt);
        return activity;
    }

    /// <summary>Opens <c>trainer {verb}</c> as a child of <paramref name="parent"/> (the submitter's span), or a root span without one.</summary>
    public static Activity? StartAttempt(JobSpec spec, int attempt, ActivityContext? parent, DateTimeOffset? startTime = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var activity = RlhfTelemetry.Source.StartActivity(
            AttemptSpanName(spec.Verb), ActivityKind.Consumer, parent ?? default, startTime: startTime ?? default);
        Tag(activity, spec, attempt);
        return activity;
    }

    /// <summary>The run id and step of a job writing under <c>runs/{runId}/{step}</c>, or nulls for a job outside a run.</summary>
    public static (string? RunId, string? Step) RunAndStep(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Output.Split('/') is ["runs", { Length: > 0 } runId, { Length: > 0 } step, ..] ? (runId, step) : (null, null);
    }

    private static void Tag(Activity? activity, JobSpec spec, int attempt)
    {
        if (activity is null)
        {
            return;
        }

        var (runId, step) = RunAndStep(spec);
        activity.SetTag(TelemetryAttributes.RunId, runId);
        activity.SetTag(TelemetryAttributes.Step, step);
        activity.SetTag(TelemetryAttributes.JobId, spec.JobId);
        activity.SetTag(TelemetryAttributes.JobVerb, spec.Verb);
        activity.SetTag(TelemetryAttributes.JobAttempt, attempt);
    }
}

namespace Rlhf.Core.Telemetry;

/// <summary>
/// Attribute (tag) names on our spans and metrics, in our own <c>rlhf.*</c> namespace (OpenTelemetry semantic conventions
/// have none for these). Low-cardinality ones (<see cref="JobVerb"/>, <see cref="Stage"/>, <see cref="Outcome"/>,
/// <see cref="LabelingMode"/>) also go on metrics; ids only on spans.
/// </summary>
public static class TelemetryAttributes
{
    /// <summary>The run id (<c>RlhfRun</c>'s instance id).</summary>
    public const string RunId = "rlhf.run.id";

    /// <summary>The run's step a span belongs to (<c>sft</c>, <c>samples</c>, <c>shard-0</c>, <c>reward</c>, <c>ppo</c>, ...).</summary>
    public const string Step = "rlhf.step";

    /// <summary>A trainer job's id (<c>{runId}-{step}</c>).</summary>
    public const string JobId = "rlhf.job.id";

    /// <summary>A trainer job's verb (<c>sft</c>, <c>sample</c>, <c>reward</c>, <c>ppo</c>, ...).</summary>
    public const string JobVerb = "rlhf.job.verb";

    /// <summary>The attempt number of a trainer job (1, 2, ... as the runner counts them).</summary>
    public const string JobAttempt = "rlhf.job.attempt";

    /// <summary>Seconds from an attempt's submission to its process start, on the trainer's span (the metric <c>rlhf.job.queue.wait_time</c>).</summary>
    public const string QueueWait = "rlhf.job.queue.wait_time";

    /// <summary>How a trainer attempt ended: <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>, <c>invalid</c>.</summary>
    public const string Outcome = "rlhf.job.outcome";

    /// <summary>A pipeline stage (<see cref="Runs.PipelineStages"/>: <c>base-policy</c>, <c>samples</c>, <c>labels</c>, ...).</summary>
    public const string Stage = "rlhf.stage";

    /// <summary>Who labeled a batch: <c>simulated</c>, <c>ai</c>, <c>human</c>.</summary>
    public const string LabelingMode = "rlhf.labeling.mode";

    /// <summary>The training step a progress or checkpoint event of a trainer span is about.</summary>
    public const string TrainingStep = "rlhf.training.step";

    /// <summary>The total steps of the job, on progress events.</summary>
    public const string TrainingTotalSteps = "rlhf.training.total_steps";
}

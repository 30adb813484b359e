using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// The pipeline's metrics (meter <see cref="RlhfTelemetry.Name"/>). Names and units follow the OpenTelemetry semantic
/// conventions' rules (dotted lower-case names, UCUM units, <c>s</c> for durations, <c>{thing}</c> for counts), in our
/// own <c>rlhf.*</c> namespace since no convention covers them. Listed in docs/telemetry.md.
/// </summary>
public static class PipelineMetrics
{
    /// <summary>Bucket boundaries in seconds for durations from a second to hours (training stages and jobs).</summary>
    private static readonly IReadOnlyList<double> LongDurationBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800];

    /// <summary>Labels per second of one batch: a simulated batch labels thousands a second, people a few a minute.</summary>
    private static readonly IReadOnlyList<double> RateBuckets = [0.01, 0.1, 0.5, 1, 5, 10, 50, 100, 500, 1000, 5000, 10000, 50000];

    /// <summary><c>rlhf.jobs.running</c> ({job}): trainer attempts running now, by verb; each trainer adds 1 while it runs.</summary>
    public static UpDownCounter<long> JobsRunning { get; } = RlhfTelemetry.Meter.CreateUpDownCounter<long>(
        "rlhf.jobs.running", "{job}", "Trainer job attempts running now.");

    /// <summary><c>rlhf.job.queue.wait_time</c> (s): from an attempt's submission to its trainer process starting, by verb.</summary>
    public static Histogram<double> QueueWait { get; } = RlhfTelemetry.Meter.CreateHistogram(
        "rlhf.job.queue.wait_time", "s", "Time from a trainer attempt's submission to its process start.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LongDurationBuckets });

    /// <summary><c>rlhf.job.duration</c> (s): how long a trainer attempt ran, by verb and outcome.</summary>
    public static Histogram<double> JobDuration { get; } = RlhfTelemetry.Meter.CreateHistogram(
        "rlhf.job.duration", "s", "Duration of a trainer job attempt, from its start to its exit.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LongDurationBuckets });

    /// <summary><c>rlhf.labeling.labels</c> ({label}): preference records labeled, by mode; its rate is labels per second.</summary>
    public static Counter<long> Labels { get; } = RlhfTelemetry.Meter.CreateCounter<long>(
        "rlhf.labeling.labels", "{label}", "Preference records labeled.");

    /// <summary><c>rlhf.labeling.throughput</c> ({label}/s): labels per second of each labeled batch, by mode.</summary>
    public static Histogram<double> LabelingThroughput { get; } = RlhfTelemetry.Meter.CreateHistogram(
        "rlhf.labeling.throughput", "{label}/s", "Labels per second of one labeled batch.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RateBuckets });

    /// <summary><c>rlhf.stage.duration</c> (s): how long a run's stage took (the orchestration's clock), by stage.</summary>
    public static Histogram<double> StageDuration { get; } = RlhfTelemetry.Meter.CreateHistogram(
        "rlhf.stage.duration", "s", "Duration of one stage of a run (base policy, samples, labels, reward, policy, evaluate, publish).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LongDurationBuckets });

    /// <summary>Records a labeled batch: <paramref name="labels"/> records in <paramref name="elapsed"/>.</summary>
    public static void RecordLabeledBatch(string mode, int labels, TimeSpan elapsed)
    {
        var tags = new TagList { { TelemetryAttributes.LabelingMode, mode } };
        Labels.Add(labels, tags);
        if (labels > 0 && elapsed > TimeSpan.Zero)
        {
            LabelingThroughput.Record(labels / elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>Records that stage <paramref name="stage"/> of a run took <paramref name="duration"/>.</summary>
    public static void RecordStage(string stage, TimeSpan duration) =>
        StageDuration.Record(Math.Max(0, duration.TotalSeconds), new TagList { { TelemetryAttributes.Stage, stage } });
}

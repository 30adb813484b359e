using Cronos;

namespace Rlhf.FunctionApp.Nightly;

/// <summary>The nightly retraining schedule (section <c>Rlhf:Nightly</c>).</summary>
public sealed class NightlyOptions
{
    /// <summary>Six-field cron, seconds first, UTC (the Functions TimerTrigger format), e.g. <c>0 0 2 * * *</c>.</summary>
    public string Schedule { get; set; } = "0 0 2 * * *";

    /// <summary>Run spec the nightly run starts: a blob URI, a <c>file://</c> URI or a path (relative to the app folder).</summary>
    public string Spec { get; set; } = "configs/demo.json";

    /// <summary>The schedule parsed; throws <see cref="CronFormatException"/> when it is not a six-field cron.</summary>
    public CronExpression ParseSchedule() => CronExpression.Parse(Schedule, CronFormat.IncludeSeconds);
}

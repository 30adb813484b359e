using System.Globalization;
using System.Text;
using Rlhf.Core.Jobs;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// The human side of a step: a progress line on stdout every <see cref="JobSpec.ProgressEvery"/> steps
/// (<c>[sft] step 120/400 (30%) loss=2.31 lr=3.0e-4 12.4k tok/s eta 1m20s</c>) and the decision of when
/// the heartbeat is due (the same cadence, and at least every <see cref="HeartbeatInterval"/>).
/// Throughput and ETA are measured over this attempt only.
/// </summary>
public sealed class ProgressReporter(string verb, int progressEvery, TextWriter output, TimeProvider time)
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    private readonly long _startTicks = time.GetTimestamp();
    private long _lastHeartbeatTicks = time.GetTimestamp();
    private long _lastLineTicks = time.GetTimestamp();
    private long _firstStep = -1;
    private long _tokensSinceLine;

    /// <summary>Records a finished step; prints a line when due. Returns true when the heartbeat is due.</summary>
    public bool OnStep(long step, long totalSteps, IReadOnlyDictionary<string, double> metrics, long tokens)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (_firstStep < 0)
        {
            _firstStep = Math.Max(0, step - 1);
        }

        _tokensSinceLine += tokens;
        var onCadence = step % progressEvery == 0 || step == totalSteps;
        if (onCadence)
        {
            output.WriteLine(FormatLine(step, totalSteps, metrics));
            output.Flush();
            _tokensSinceLine = 0;
            _lastLineTicks = time.GetTimestamp();
        }

        if (onCadence || time.GetElapsedTime(_lastHeartbeatTicks) >= HeartbeatInterval)
        {
            _lastHeartbeatTicks = time.GetTimestamp();
            return true;
        }

        return false;
    }

    /// <summary>The progress line for <paramref name="step"/>.</summary>
    public string FormatLine(long step, long totalSteps, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var line = new StringBuilder().Append(CultureInfo.InvariantCulture, $"[{verb}] step {step}/{totalSteps}");
        if (totalSteps > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $" ({100 * step / totalSteps}%)");
        }

        var ownPrefix = verb + "/";
        foreach (var (key, value) in metrics)
        {
            var name = key.StartsWith(ownPrefix, StringComparison.Ordinal) ? key[ownPrefix.Length..] : key;
            line.Append(CultureInfo.InvariantCulture, $" {name}={FormatValue(value)}");
        }

        var sinceLine = time.GetElapsedTime(_lastLineTicks).TotalSeconds;
        if (_tokensSinceLine > 0 && sinceLine > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $" {_tokensSinceLine / sinceLine / 1000:0.0}k tok/s");
        }

        var done = step - _firstStep;
        if (done > 0 && totalSteps > step)
        {
            var eta = time.GetElapsedTime(_startTicks) / done * (totalSteps - step);
            line.Append(" eta ").Append(FormatDuration(eta));
        }

        return line.ToString();
    }

    /// <summary>3 significant digits, scientific notation for very small or large magnitudes: 2.31, 3.0e-4.</summary>
    public static string FormatValue(double value)
    {
        var magnitude = Math.Abs(value);
        return value == 0 || !double.IsFinite(value) || (magnitude >= 1e-3 && magnitude < 1e5)
            ? value.ToString("G3", CultureInfo.InvariantCulture)
            : value.ToString("0.0e+0", CultureInfo.InvariantCulture);
    }

    /// <summary>1h02m, 1m20s, 45s.</summary>
    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes:00}m"
        : duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s"
        : $"{Math.Max(0, (int)Math.Round(duration.TotalSeconds))}s";
}

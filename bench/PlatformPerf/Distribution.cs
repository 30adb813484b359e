namespace Rlhf.Bench.PlatformPerf;

/// <summary>Summary of a sample of durations, in milliseconds. Percentiles interpolate linearly between order statistics.</summary>
public sealed record Distribution(int Count, double MedianMs, double P90Ms, double P99Ms, double MeanMs, double MinMs, double MaxMs)
{
    public static Distribution OfSeconds(IReadOnlyCollection<double> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        ArgumentOutOfRangeException.ThrowIfZero(seconds.Count);
        var ms = seconds.Select(s => s * 1000).Order().ToArray();
        return new Distribution(ms.Length, Percentile(ms, 0.5), Percentile(ms, 0.9), Percentile(ms, 0.99), ms.Average(), ms[0], ms[^1]);
    }

    /// <summary>The p-quantile of ascending values: position p·(n−1), interpolated (numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var position = p * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}

using System.Diagnostics;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// One monotonic clock for every measurement of the bench: seconds since the process started it.
/// UTC times (the orchestration's replay clock, stage timings) are mapped onto it through one anchor.
/// </summary>
internal static class BenchClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();
    private static readonly DateTime OriginUtc = DateTime.UtcNow;

    public static double Now => Stopwatch.GetElapsedTime(Origin).TotalSeconds;

    public static double FromUtc(DateTime utc) => (utc.ToUniversalTime() - OriginUtc).TotalSeconds;
}

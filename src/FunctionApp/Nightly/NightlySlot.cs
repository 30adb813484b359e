using Cronos;

namespace Rlhf.FunctionApp.Nightly;

/// <summary>
/// The schedule slot a timer firing belongs to: the latest occurrence of the cron at or before the firing time
/// (plus a small tolerance for a timer that fires a moment early). Every firing for one slot — a retried
/// invocation, a second instance of the app, a past-due catch-up — maps to the same slot, hence the same run id.
/// </summary>
public static class NightlySlot
{
    /// <summary>How early a firing may come and still count for the occurrence it precedes.</summary>
    public static readonly TimeSpan EarlyTolerance = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan[] Lookbacks = [TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(367)];

    public static DateTimeOffset Of(CronExpression schedule, DateTimeOffset firedUtc)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var to = firedUtc.ToUniversalTime() + EarlyTolerance;
        foreach (var lookback in Lookbacks)
        {
            // short windows first, so a per-second test schedule does not enumerate a year of occurrences
            DateTimeOffset? last = null;
            foreach (var occurrence in schedule.GetOccurrences(to - lookback, to, TimeZoneInfo.Utc, fromInclusive: true, toInclusive: true))
            {
                last = occurrence;
            }

            if (last is { } slot)
            {
                return slot;
            }
        }

        throw new InvalidOperationException($"Schedule '{schedule}' has no occurrence in the year before {firedUtc:O}.");
    }
}

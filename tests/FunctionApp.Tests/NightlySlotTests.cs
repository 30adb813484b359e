using Rlhf.Api;
using Rlhf.FunctionApp.Nightly;

namespace Rlhf.FunctionApp.Tests;

/// <summary>Which schedule slot a timer firing belongs to, hence which nightly run id it may start.</summary>
public sealed class NightlySlotTests
{
    private static readonly Cronos.CronExpression TwoAm = new NightlyOptions { Schedule = "0 0 2 * * *" }.ParseSchedule();

    [Theory]
    [InlineData("2025-03-04T02:00:00.250Z")] // on time
    [InlineData("2025-03-04T02:00:07Z")] // a retried invocation
    [InlineData("2025-03-04T09:30:00Z")] // past due after the app was down
    [InlineData("2025-03-04T01:59:57Z")] // a timer firing a moment early
    public void EveryFiringOfOneSlotGetsTheSameRunId(string firedUtc)
    {
        var slot = NightlySlot.Of(TwoAm, DateTimeOffset.Parse(firedUtc, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(new DateTimeOffset(2025, 3, 4, 2, 0, 0, TimeSpan.Zero), slot);
        Assert.Equal("nightly-20250304T020000Z", NightlyRuns.IdFor(slot));
    }

    [Fact]
    public void TheNextNightIsTheNextSlotAndAFiringBeforeTwoBelongsToTheNightBefore()
    {
        Assert.Equal("nightly-20250305T020000Z", NightlyRuns.IdFor(NightlySlot.Of(TwoAm, new DateTimeOffset(2025, 3, 5, 2, 0, 1, TimeSpan.Zero))));
        Assert.Equal("nightly-20250304T020000Z", NightlyRuns.IdFor(NightlySlot.Of(TwoAm, new DateTimeOffset(2025, 3, 5, 1, 0, 0, TimeSpan.Zero))));
    }

    [Fact]
    public void SlotsAreUtcWhateverTheOffsetOfTheFiringTime()
    {
        var firedInParis = new DateTimeOffset(2025, 3, 4, 3, 0, 2, TimeSpan.FromHours(1)); // 02:00:02Z

        Assert.Equal("nightly-20250304T020000Z", NightlyRuns.IdFor(NightlySlot.Of(TwoAm, firedInParis)));
    }

    [Fact]
    public void AFrequentScheduleMapsToItsOwnLatestOccurrence()
    {
        var everyTenSeconds = new NightlyOptions { Schedule = "*/10 * * * * *" }.ParseSchedule();

        Assert.Equal(new DateTimeOffset(2025, 3, 4, 2, 0, 20, TimeSpan.Zero), NightlySlot.Of(everyTenSeconds, new DateTimeOffset(2025, 3, 4, 2, 0, 23, TimeSpan.Zero)));
    }

    [Fact]
    public void FiveFieldCronIsRejected()
    {
        Assert.Throws<Cronos.CronFormatException>(() => new NightlyOptions { Schedule = "0 2 * * *" }.ParseSchedule());
    }
}

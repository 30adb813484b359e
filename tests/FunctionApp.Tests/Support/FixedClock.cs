namespace Rlhf.FunctionApp.Tests.Support;

/// <summary>A clock the test sets (the timer's firing time).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

namespace Rlhf.Cli.Tests;

/// <summary>A clock the test moves: <see cref="AdvanceTo"/> sets the time and fires every timer due by then (as Task.Delay uses).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private readonly Lock _gate = new();

    public DateTimeOffset Now { get; private set; } = now;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return Now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            var timer = new ManualTimer(this, callback, state, Now + dueTime);
            _timers.Add(timer);
            return timer;
        }
    }

    /// <summary>How many timers wait to fire (the schedule waits on one between slots).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    public void AdvanceTo(DateTimeOffset time)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            Now = time;
            due = [.. _timers.Where(t => t.Due <= time)];
            _timers.RemoveAll(due.Contains);
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state, DateTimeOffset due) : ITimer
    {
        public DateTimeOffset Due { get; } = due;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose() => clock.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

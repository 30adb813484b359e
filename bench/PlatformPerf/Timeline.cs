using System.Collections.Concurrent;

namespace Rlhf.Bench.PlatformPerf;

public enum SpanKind
{
    /// <summary>An activity's <c>RunAsync</c>, timed inside the worker (<see cref="TimedActivity"/>).</summary>
    Activity,

    /// <summary>A trainer process, from the runner's start record to its exit record (<see cref="ObservedArtifactStore"/>).</summary>
    Trainer,
}

/// <summary>Something that ran from <paramref name="Start"/> to <paramref name="End"/> (seconds on <see cref="BenchClock"/>).</summary>
public sealed record Span(SpanKind Kind, string Name, string Instance, double Start, double End)
{
    public double Seconds => End - Start;
}

/// <summary>Every activity execution and trainer process the bench host saw, thread-safe.</summary>
public sealed class Timeline
{
    private readonly ConcurrentQueue<Span> _spans = new();
    private readonly ConcurrentDictionary<(string JobId, int Attempt), double> _running = new();

    public void Add(Span span) => _spans.Enqueue(span);

    public void TrainerStarted(string jobId, int attempt) => _running[(jobId, attempt)] = BenchClock.Now;

    public void TrainerExited(string jobId, int attempt)
    {
        var end = BenchClock.Now;
        if (_running.TryRemove((jobId, attempt), out var start))
        {
            Add(new Span(SpanKind.Trainer, $"{jobId}#{attempt}", jobId, start, end));
        }
    }

    /// <summary>Spans that overlap [from, to]; a trainer still running counts as running until <paramref name="to"/>.</summary>
    public IReadOnlyList<Span> Overlapping(double from, double to)
    {
        var running = _running.Select(r => new Span(SpanKind.Trainer, $"{r.Key.JobId}#{r.Key.Attempt}", r.Key.JobId, r.Value, to));
        return [.. _spans.Concat(running).Where(s => s.End > from && s.Start < to).OrderBy(s => s.Start)];
    }

    /// <summary>Executions of one activity by one orchestration instance, in start order.</summary>
    public IReadOnlyList<Span> Activities(string name, string instance) =>
        [.. _spans.Where(s => s.Kind == SpanKind.Activity && s.Name == name && s.Instance == instance).OrderBy(s => s.Start)];
}

namespace Rlhf.Bench.PlatformPerf;

/// <summary>Interval arithmetic on <see cref="Span"/>s: covered time (union) and the uncovered gaps of a window.</summary>
public static class Intervals
{
    /// <summary>The union of the spans clipped to [from, to], as disjoint (start, end) pairs in order.</summary>
    public static IReadOnlyList<(double Start, double End)> Union(IEnumerable<Span> spans, double from, double to)
    {
        var merged = new List<(double Start, double End)>();
        foreach (var (start, end) in spans.Select(s => (Math.Max(s.Start, from), Math.Min(s.End, to))).Where(s => s.Item2 > s.Item1).OrderBy(s => s.Item1))
        {
            if (merged.Count > 0 && start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, end));
            }
            else
            {
                merged.Add((start, end));
            }
        }

        return merged;
    }

    /// <summary>Seconds of [from, to] covered by at least one span.</summary>
    public static double Covered(IEnumerable<Span> spans, double from, double to) => Union(spans, from, to).Sum(u => u.End - u.Start);

    /// <summary>The parts of [from, to] no span covers, longest first, each with what ran just before and just after it.</summary>
    public static IReadOnlyList<Gap> Gaps(IReadOnlyList<Span> spans, double from, double to)
    {
        var gaps = new List<Gap>();
        var cursor = from;
        foreach (var (start, end) in Union(spans, from, to).Append((to, to)))
        {
            if (start > cursor)
            {
                var previous = spans.Where(s => s.End <= cursor + 1e-9).MaxBy(s => s.End)?.Name ?? "(start)";
                var next = spans.Where(s => s.Start >= start - 1e-9).MinBy(s => s.Start)?.Name ?? "(end)";
                gaps.Add(new Gap(cursor - from, start - cursor, previous, next));
            }

            cursor = Math.Max(cursor, end);
        }

        return [.. gaps.OrderByDescending(g => g.Seconds)];
    }
}

/// <summary><paramref name="Seconds"/> with nothing running, <paramref name="At"/> seconds into the window, after span <paramref name="Previous"/> ended and before <paramref name="Next"/> started.</summary>
public sealed record Gap(double At, double Seconds, string Previous, string Next);

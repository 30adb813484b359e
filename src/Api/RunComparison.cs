namespace Rlhf.Api;

/// <summary>
/// <c>GET /api/runs/compare?ids=A,B[,C…]</c>: the runs side by side. <see cref="Metrics"/> holds each key metric's value per run
/// (in <see cref="Runs"/> order) and its change from the first run; <see cref="Differences"/> the spec settings that differ.
/// </summary>
public sealed record RunComparison(IReadOnlyList<ComparedRun> Runs, IReadOnlyList<ComparedMetric> Metrics, IReadOnlyList<SpecDifference> Differences)
{
    /// <summary>The HTML page with the runs' curves overlaid.</summary>
    public string? ReportUri { get; init; }
}

/// <summary>One compared run: its status, what it optimised with, its seed, wall time and report.</summary>
public sealed record ComparedRun(string Id, string RuntimeStatus, string? Algorithm, int? Seed, double WallSeconds, string ReportUri);

/// <summary>One metric across the runs: <see cref="Values"/> per run (null where a run has none), <see cref="Deltas"/> = value − the first run's.</summary>
public sealed record ComparedMetric(string Key, string Label, IReadOnlyList<double?> Values, IReadOnlyList<double?> Deltas);

/// <summary>A spec setting (JSON path) whose value differs between the runs, with each run's value as JSON text (null: not set).</summary>
public sealed record SpecDifference(string Path, IReadOnlyList<string?> Values);

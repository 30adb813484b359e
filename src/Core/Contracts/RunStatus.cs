using Rlhf.Core.Artifacts;

namespace Rlhf.Core.Contracts;

/// <summary>
/// The custom status of a run orchestration (what the CLI and the portal show): current stage,
/// progress x/y within it, latest metrics, per-stage timings and the artifacts written so far.
/// </summary>
public sealed record RunStatus(string Stage, int Done, int Total)
{
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];
    public IReadOnlyList<ArtifactRef> Artifacts { get; init; } = [];
    public string? Message { get; init; }
}

/// <summary>When a stage started and finished, by the orchestration's replay-safe clock.</summary>
public sealed record StageTiming(string Stage, DateTime StartedUtc, DateTime? FinishedUtc = null)
{
    public double? Seconds => FinishedUtc is { } end ? (end - StartedUtc).TotalSeconds : null;

    /// <summary>The output prefixes of the stage's trainer jobs (<c>runs/{id}/{step}</c>), whose heartbeats tell its progress.</summary>
    public IReadOnlyList<string> Steps { get; init; } = [];

    /// <summary>The run whose completed steps this stage reused instead of running (docs/reuse.md); null when it ran.</summary>
    public string? ReusedFrom { get; init; }
}

using System.Text.Json.Nodes;
using Rlhf.Core.Contracts;

using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>One run in <c>GET /api/runs</c>.</summary>
public sealed record RunSummary(
    string Id,
    string Kind,
    string RuntimeStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string? Stage,
    double? Progress,
    string StatusQueryGetUri);

/// <summary>A page of runs; pass <see cref="ContinuationToken"/> back to get the next one (null on the last page).</summary>
public sealed record RunPage(IReadOnlyList<RunSummary> Runs, string? ContinuationToken);

/// <summary>One artifact the run reported, with a URL that downloads it through the API.</summary>
public sealed record ArtifactLink(string Path, string Sha256, long Bytes, string Uri);

/// <summary>
/// <c>GET /api/runs/{id}</c>: the orchestration's runtime status plus the <see cref="RunStatus"/> the run
/// publishes as its custom status (stage, progress within it, metrics, stage timings, artifacts).
/// </summary>
public sealed record RunDetail
{
    public required string Id { get; init; }

    /// <summary>The orchestration behind the run: <c>RlhfRun</c> or <c>NightlyRetrain</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Durable runtime status: Pending, Running, Completed, Failed, Terminated, Suspended.</summary>
    public required string RuntimeStatus { get; init; }

    /// <summary>True once the run can make no more progress (completed, failed, terminated).</summary>
    public bool IsFinished { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset LastUpdatedAt { get; init; }
    public string? Stage { get; init; }

    /// <summary>Units done and total in the current stage (shards, batches) or stages done of all stages.</summary>
    public int Done { get; init; }

    public int Total { get; init; }

    /// <summary><see cref="Done"/> / <see cref="Total"/>, null when the total is unknown.</summary>
    public double? Progress { get; init; }

    public string? Message { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];
    public IReadOnlyList<ArtifactLink> Artifacts { get; init; } = [];

    /// <summary>Durable timers of this run the host re-fired because their wake-up was lost (<see cref="EngineWakeUps"/>); empty normally.</summary>
    public IReadOnlyList<EngineWakeUp> WakeUps { get; init; } = [];

    /// <summary>Why the run failed (error type and message), when it did.</summary>
    public string? Error { get; init; }

    /// <summary>The run's result (<c>RlhfRunResult</c>) once completed, or the terminate reason.</summary>
    public JsonNode? Output { get; init; }

    public required RunLinks Links { get; init; }
}

/// <summary>What <c>DELETE /api/runs/{id}</c> removed.</summary>
public sealed record PurgeOutcome(string Id, int InstancesDeleted, int ArtifactsDeleted);

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

    /// <summary>Seconds since the run was created: up to now while it runs, up to its last update once it finished.</summary>
    public double WallSeconds { get; init; }

    public string? Stage { get; init; }

    /// <summary>
    /// Units done and total in the current stage: a training job's steps (from its heartbeat), label batches; or, when the
    /// stage has no such count yet, stages done of all stages.
    /// </summary>
    public long Done { get; init; }

    public long Total { get; init; }

    /// <summary><see cref="Done"/> / <see cref="Total"/>, null when the total is unknown.</summary>
    public double? Progress { get; init; }

    /// <summary>Stages finished and the number of stages of a run.</summary>
    public int StagesDone { get; init; }

    public int StagesTotal { get; init; }

    public string? Message { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Each stage so far, with its own progress, wall time, key metrics and where it was reused from.</summary>
    public IReadOnlyList<StageView> Stages { get; init; } = [];

    /// <summary>For a rerun (<c>POST /api/runs/{id}/rerun</c>): the run it reran, and the stage it ran again from.</summary>
    public string? RerunOf { get; init; }

    public string? RerunFrom { get; init; }

    /// <summary>Whether the run looks up reusable steps (the spec's <c>reuse</c>, or <c>?reuse=false</c>); null for runs from before reuse.</summary>
    public bool? Reuse { get; init; }
    public IReadOnlyList<ArtifactLink> Artifacts { get; init; } = [];

    /// <summary>Durable timers of this run the host re-fired because their wake-up was lost (<see cref="EngineWakeUps"/>); empty normally.</summary>
    public IReadOnlyList<EngineWakeUp> WakeUps { get; init; } = [];

    /// <summary>Why the run failed (error type and message), when it did.</summary>
    public string? Error { get; init; }

    /// <summary>The run's result (<c>RlhfRunResult</c>) once completed, or the terminate reason.</summary>
    public JsonNode? Output { get; init; }

    public required RunLinks Links { get; init; }
}

/// <summary>
/// One stage of a run: when it started and finished (the orchestration's clock), its wall time (live while it runs), its
/// progress in its own units (<see cref="Unit"/>: a training job's steps from its heartbeat, summed over sample shards; label
/// batches), its own key metrics (never another stage's) and, when it took an earlier run's steps, that run.
/// </summary>
public sealed record StageView(string Stage, DateTime StartedUtc, DateTime? FinishedUtc = null)
{
    private readonly double? _seconds;

    /// <summary>Finished − started; for the running stage, now − started.</summary>
    public double? Seconds
    {
        get => _seconds ?? (FinishedUtc - StartedUtc)?.TotalSeconds;
        init => _seconds = value;
    }

    public long Done { get; init; }
    public long Total { get; init; }
    public string? Unit { get; init; }

    /// <summary><see cref="Done"/> / <see cref="Total"/>; 1 for a finished stage with no count; null while unknown.</summary>
    public double? Progress => Total > 0 ? Math.Clamp((double)Done / Total, 0, 1) : FinishedUtc is null ? null : 1;

    /// <summary>The run whose completed steps this stage took instead of running (docs/reuse.md).</summary>
    public string? ReusedFrom { get; init; }

    /// <summary>This stage's key metrics (<see cref="StageKeyMetrics"/>): live from its heartbeat while it runs.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
}

/// <summary>What <c>DELETE /api/runs/{id}</c> removed.</summary>
public sealed record PurgeOutcome(string Id, int InstancesDeleted, int ArtifactsDeleted);

using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Contracts;

/// <summary>Input of <c>RlhfRun</c>. <paramref name="Store"/> is the artifact store location the trainer jobs open.</summary>
public sealed record RlhfRunInput(string RunId, RunSpec Spec, string Store)
{
    /// <summary>Preference files merged in front of this run's labels (set by <c>NightlyRetrain</c>).</summary>
    public IReadOnlyList<ArtifactRef> PriorPreferences { get; init; } = [];

    /// <summary>How the run reuses earlier steps; null in the history of a run started before reuse existed (it neither looks up nor records).</summary>
    public ReusePolicy? Reuse { get; init; }
}

public sealed record RlhfRunResult(
    string RunId,
    string Policy,
    IReadOnlyDictionary<string, double> Metrics,
    PublishResult Publish,
    ArtifactRef Manifest);

/// <summary>Input of <c>NightlyRetrain</c>: the spec is run warm-started from the champion, with the champion's labels merged in.</summary>
public sealed record NightlyRetrainInput(string RunId, RunSpec Spec, string Store);

/// <summary>Input of <c>CollectSamples</c>: K completions per prompt from <paramref name="Policy"/>, over the spec's shards.</summary>
public sealed record CollectSamplesInput(string RunId, string Store, string Policy, string Prompts, SamplingSpec Sampling, ComputeSpec Compute, int Seed)
{
    /// <summary>Whether the shards look up reusable steps; null: neither look up nor record (an older history).</summary>
    public StepReuseOptions? Reuse { get; init; }
}

public sealed record CollectSamplesResult(IReadOnlyList<ArtifactRef> Shards)
{
    /// <summary>Per shard, the run it was reused from (null where the shard ran); empty in older histories.</summary>
    public IReadOnlyList<string?> ReusedFrom { get; init; } = [];
}

/// <summary>
/// <c>registry/label-pool.json</c>: the merged preferences of the latest nightly run that got as far as labeling, promoted
/// or not, so the next night trains on every earlier night's labels (within the label window), not only the champion's.
/// </summary>
public sealed record LabelPool(string RunId, ArtifactRef Preferences);

/// <summary>The published champion (<c>registry/champion.json</c>).</summary>
public sealed record Champion
{
    public required string RunId { get; init; }

    /// <summary>Model folder of the champion policy in the store.</summary>
    public required string Policy { get; init; }

    /// <summary>Reward model folder that trained it.</summary>
    public string? RewardModel { get; init; }

    /// <summary>The preferences it was trained on (merged into the next nightly run).</summary>
    public ArtifactRef? Preferences { get; init; }

    public required string Metric { get; init; }
    public required double Score { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public DateTimeOffset PublishedUtc { get; init; }
}

/// <summary>Activity input of <c>PublishIfBetter</c>.</summary>
public sealed record PublishInput(string RunId, string Policy, string? RewardModel, ArtifactRef? Preferences, IReadOnlyDictionary<string, double> Metrics, PublishSpec Publish);

/// <summary>
/// The promotion gate's decision: <paramref name="Promoted"/> (the candidate is now the champion) or kept (its artifacts stay,
/// the champion does not change), why, and both figures of the gate metric (null where there was none).
/// </summary>
public sealed record PublishResult(bool Promoted, string Reason, double? Candidate = null, double? ChampionScore = null)
{
    /// <summary>The gate metric's key (e.g. <c>eval/gold</c>); null when publishing was off.</summary>
    public string? Metric { get; init; }

    /// <summary>The improvement the candidate had to exceed (<c>publish.minImprovement</c>).</summary>
    public double? MinImprovement { get; init; }

    /// <summary>The champion's run when the gate compared against one.</summary>
    public string? ChampionRunId { get; init; }

    /// <summary>One line for status and reports: "promoted: …" or "kept, not promoted: …".</summary>
    public string Describe() => $"{(Promoted ? "promoted" : "kept, not promoted")}: {Reason}";
}

/// <summary>Activity input of <c>WriteRunManifest</c>: the step manifests of the run → <c>runs/{runId}/manifest.json</c>.</summary>
public sealed record RunManifestInput(string RunId, RunSpec Spec, IReadOnlyList<ArtifactRef> Steps, IReadOnlyDictionary<string, double> Metrics);

using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Contracts;

/// <summary>Input of <c>RlhfRun</c>. <paramref name="Store"/> is the artifact store location the trainer jobs open.</summary>
public sealed record RlhfRunInput(string RunId, RunSpec Spec, string Store)
{
    /// <summary>Preference files merged in front of this run's labels (set by <c>NightlyRetrain</c>).</summary>
    public IReadOnlyList<ArtifactRef> PriorPreferences { get; init; } = [];
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
public sealed record CollectSamplesInput(string RunId, string Store, string Policy, string Prompts, SamplingSpec Sampling, ComputeSpec Compute, int Seed);

public sealed record CollectSamplesResult(IReadOnlyList<ArtifactRef> Shards);

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

public sealed record PublishResult(bool Promoted, string Reason, double? Candidate = null, double? ChampionScore = null);

/// <summary>Activity input of <c>WriteRunManifest</c>: the step manifests of the run → <c>runs/{runId}/manifest.json</c>.</summary>
public sealed record RunManifestInput(string RunId, RunSpec Spec, IReadOnlyList<ArtifactRef> Steps, IReadOnlyDictionary<string, double> Metrics);

using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Contracts;

/// <summary>Input of the <c>LabelComparisons</c> orchestration: the sample shards (step output prefixes) of a run.</summary>
public sealed record LabelComparisonsInput(string RunId, IReadOnlyList<ArtifactRef> SampleShards, LabelingSpec Labeling, int Seed)
{
    /// <summary>Preference files of earlier runs merged in front of the new labels (nightly retraining).</summary>
    public IReadOnlyList<ArtifactRef> PriorPreferences { get; init; } = [];
}

public sealed record LabelComparisonsResult(ArtifactRef Preferences, int Batches, int Pairs)
{
    /// <summary>Share of labels that agree with the gold order (simulated labels only).</summary>
    public double? GoldAgreement { get; init; }
}

/// <summary>Activity input of <c>PrepareLabelBatches</c>: sample files → <c>runs/{runId}/labels/batches/batch-NNNN.jsonl</c>.</summary>
public sealed record PrepareLabelBatchesInput(string RunId, IReadOnlyList<ArtifactRef> SampleShards, int BatchSize);

public sealed record LabelBatches(IReadOnlyList<ArtifactRef> Batches, int Prompts, int Pairs);

/// <summary>Activity input of <c>LabelBatch</c>: label one batch with the labeler of <paramref name="Mode"/>.</summary>
public sealed record LabelBatchInput(string RunId, int BatchIndex, ArtifactRef Batch, LabelingMode Mode, LabelingSpec Labeling, int Seed);

public sealed record LabelBatchResult(int BatchIndex, ArtifactRef Labels, int Pairs, string Labeler)
{
    public double? GoldAgreement { get; init; }
}

/// <summary>Payload of <see cref="TaskNames.HumanLabelsEvent"/>: the labels people gave, already stored durably by the Api.</summary>
public sealed record HumanLabelsSubmitted(int BatchIndex, ArtifactRef Labels, int Pairs, IReadOnlyList<string> Labelers);

/// <summary>Activity input of <c>MergePreferences</c>: prior files then batches, in order → <c>runs/{runId}/labels/preferences.jsonl</c>.</summary>
public sealed record MergePreferencesInput(string RunId, IReadOnlyList<ArtifactRef> Prior, IReadOnlyList<ArtifactRef> Batches);

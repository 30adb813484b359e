using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Contracts;

/// <summary>Input of the <c>LabelComparisons</c> orchestration: the sample shards (step output prefixes) of a run.</summary>
public sealed record LabelComparisonsInput(string RunId, IReadOnlyList<ArtifactRef> SampleShards, LabelingSpec Labeling, int Seed)
{
    /// <summary>Preference files of earlier runs merged in front of the new labels (nightly retraining).</summary>
    public IReadOnlyList<ArtifactRef> PriorPreferences { get; init; } = [];

    /// <summary>Whether the stage looks up a reusable labeling of the same comparisons; null: no reuse at all (an older history).</summary>
    public StepReuseOptions? Reuse { get; init; }
}

public sealed record LabelComparisonsResult(ArtifactRef Preferences, int Batches, int Pairs)
{
    /// <summary>Share of labels that agree with the gold order (simulated labels only).</summary>
    public double? GoldAgreement { get; init; }

    /// <summary>The run whose labeling stage was reused whole (docs/reuse.md); null when this run labeled.</summary>
    public string? ReusedFrom { get; init; }

    /// <summary>Human batches answered from people's stored submissions of an earlier run instead of asking again.</summary>
    public int HumanBatchesReused { get; init; }
}

/// <summary>Activity input of <c>PrepareLabelBatches</c>: sample files → <c>runs/{runId}/labels/batches/batch-NNNN.jsonl</c>.</summary>
public sealed record PrepareLabelBatchesInput(string RunId, IReadOnlyList<ArtifactRef> SampleShards, int BatchSize);

public sealed record LabelBatches(IReadOnlyList<ArtifactRef> Batches, int Prompts, int Pairs);

/// <summary>Activity input of <c>LabelBatch</c>: label one batch with the labeler of <paramref name="Mode"/>.</summary>
public sealed record LabelBatchInput(string RunId, int BatchIndex, ArtifactRef Batch, LabelingMode Mode, LabelingSpec Labeling, int Seed)
{
    /// <summary>Null: the batch's labels; otherwise which machine-labeled part (<see cref="LabelParts"/>) this is.</summary>
    public string? Part { get; init; }
}

/// <summary>The machine-labeled parts a batch may have besides its own labels (see <see cref="ArtifactLayout.Labels(string, int, string?)"/>).</summary>
public static class LabelParts
{
    /// <summary>Routing by principle: the AI judge's labels on <see cref="LabelingSpec.AiPrinciples"/>, trained on with the people's.</summary>
    public const string Ai = "ai";

    /// <summary>The AI judge's labels of a human batch on the people's criteria, for judge–human agreement only.</summary>
    public const string Audit = "audit";
}

public sealed record LabelBatchResult(int BatchIndex, ArtifactRef Labels, int Pairs, string Labeler)
{
    public double? GoldAgreement { get; init; }

    /// <summary>The run whose people's stored submissions gave these labels (a human batch asked before); null otherwise.</summary>
    public string? ReusedFrom { get; init; }
}

/// <summary>Payload of <see cref="TaskNames.HumanLabelsEvent"/>: the labels people gave, already stored durably by the Api.</summary>
public sealed record HumanLabelsSubmitted(int BatchIndex, ArtifactRef Labels, int Pairs, IReadOnlyList<string> Labelers);

/// <summary>Activity input of <c>MergePreferences</c>: prior files then batches, in order → <c>runs/{runId}/labels/preferences.jsonl</c>.</summary>
public sealed record MergePreferencesInput(string RunId, IReadOnlyList<ArtifactRef> Prior, IReadOnlyList<LabelFile> Batches)
{
    /// <summary>Bounds the merged labels (<c>labeling.window</c>); unbounded by default.</summary>
    public LabelWindowSpec Window { get; init; } = new();
}

/// <summary>One label file of a run's batch <paramref name="Batch"/>: its lines are stamped with the run id and batch when merged.</summary>
public sealed record LabelFile(int Batch, ArtifactRef Labels);

/// <summary>
/// <c>runs/{runId}/labels/preferences.summary.json</c>: how many comparisons of each run (night) the merged preferences
/// hold, how many of them people labeled, and how many the label window dropped, oldest run first.
/// </summary>
public sealed record PreferenceSummary(IReadOnlyList<RunLabelCount> Runs, LabelWindowSpec Window)
{
    public int Comparisons => Runs.Sum(r => r.Comparisons);
    public int Dropped => Runs.Sum(r => r.Dropped);
}

/// <summary>One run's share of a merged preference file: <paramref name="Comparisons"/> lines kept (<paramref name="Human"/> of them by people), <paramref name="Dropped"/> left out by the window.</summary>
public sealed record RunLabelCount(string RunId, int Comparisons, int Human, int Dropped);

/// <summary>
/// Activity input of <c>RemindLabelers</c>: batch <paramref name="BatchIndex"/> has waited <paramref name="Waited"/> for
/// <paramref name="Required"/> people; this is reminder <paramref name="Reminder"/> of <paramref name="MaxReminders"/>.
/// <paramref name="NotifyUrlSetting"/> names the app setting holding the webhook to post to (null: record only).
/// </summary>
public sealed record RemindLabelersInput(string RunId, int BatchIndex, int Reminder, int MaxReminders, int Required, TimeSpan Waited, string? NotifyUrlSetting);

/// <summary>What a reminder said and to whom: <c>runs/{runId}/labels/reminders/batch-NNNN-R.json</c>.</summary>
public sealed record LabelingReminder(string RunId, int BatchIndex, int Reminder, int MaxReminders, int Required, IReadOnlyList<string> Submitted, string Text)
{
    /// <summary>Whether the text was posted to the run's webhook (false: recorded only, no webhook configured).</summary>
    public bool Posted { get; init; }
}

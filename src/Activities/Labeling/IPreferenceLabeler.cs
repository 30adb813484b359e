using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling;

/// <summary>
/// Labels the comparisons of one batch: each item is a prompt with K completions, the result is the
/// C(K,2) preference pairs (pairs of identical text are skipped) sharing the item's K-wise ranking.
/// One implementation per machine <see cref="LabelingMode"/> (simulated, ai); human labels come from the Api.
/// </summary>
public interface IPreferenceLabeler
{
    LabelingMode Mode { get; }

    Task<LabeledBatch> LabelAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken = default);
}

/// <summary>The pairs of a batch and, where the truth is known, the share agreeing with the gold order.</summary>
public sealed record LabeledBatch(IReadOnlyList<PreferenceRecord> Records, string Labeler, double? GoldAgreement = null);

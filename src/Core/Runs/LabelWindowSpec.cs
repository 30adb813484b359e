using System.ComponentModel.DataAnnotations;

namespace Rlhf.Core.Runs;

/// <summary>
/// Which accumulated labels a run trains on (<c>labeling.window</c>): a nightly run merges the label pool of earlier
/// nights with its own labels, and this window bounds that pool. Trimming drops whole sample sets (one batch of one
/// run), oldest first, so a K-wise ranking is never cut in half. Human-labeled sample sets are never dropped by the
/// window: they are kept whatever its bounds (docs/nightly.md).
/// </summary>
public sealed record LabelWindowSpec
{
    /// <summary>Keep machine labels of the last N runs (nights) only, this one included; 0: every night.</summary>
    [Range(0, 10_000)]
    public int Nights { get; init; }

    /// <summary>At most M comparisons (lines) in all, dropping the oldest machine-labeled sample sets first; 0: no cap.</summary>
    [Range(0, 100_000_000)]
    public int MaxComparisons { get; init; }
}

using System.Globalization;
using Rlhf.Core.Contracts;

namespace Rlhf.Core.Labeling;

/// <summary>
/// One labeler's verdict on one comparison. A comparison is a pair of completions of a prompt,
/// <c>{promptId}:{i}-{j}</c> with i &lt; j, and the verdict is relative to that order (<see cref="PairVerdict.First"/> = completion i).
/// </summary>
public sealed record LabelVote(string ComparisonId, string Labeler, PairVerdict Verdict)
{
    /// <summary>The labeler's kind: the part of its name before the first ':' (<c>ai</c>, <c>human</c>, <c>rouge</c>, <c>simulated</c>).</summary>
    public string Kind => KindOf(Labeler);

    public static string KindOf(string labeler)
    {
        ArgumentNullException.ThrowIfNull(labeler);
        var colon = labeler.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? labeler : labeler[..colon];
    }

    public static string ComparisonOf(string promptId, int i, int j) =>
        string.Create(CultureInfo.InvariantCulture, $"{promptId}:{Math.Min(i, j)}-{Math.Max(i, j)}");

    /// <summary>The vote a preference line stands for: chosen = the lower index → <see cref="PairVerdict.First"/>.</summary>
    public static LabelVote From(PreferenceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new LabelVote(
            ComparisonOf(record.PromptId, record.ChosenIndex, record.RejectedIndex),
            record.Labeler,
            record.ChosenIndex < record.RejectedIndex ? PairVerdict.First : PairVerdict.Second);
    }
}

using Rlhf.Core.Labeling;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>What judging one batch took and gave: comparisons, ties, requests (retries included), tokens, order flips.</summary>
public sealed record JudgeBatchSummary(string Labeler, int Comparisons, int Ties, int Requests, int PromptTokens, int CompletionTokens, int OrderFlips)
{
    public static JudgeBatchSummary Of(string labeler, IReadOnlyList<JudgeVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        return new JudgeBatchSummary(
            labeler,
            verdicts.Count,
            verdicts.Count(v => v.Verdict == PairVerdict.Tie),
            verdicts.Sum(v => v.Requests),
            verdicts.Sum(v => v.PromptTokens),
            verdicts.Sum(v => v.CompletionTokens),
            verdicts.Count(v => v.Forward is { } f && v.Reversed is { } r && f != r.Swap()));
    }
}

using Rlhf.Core.Contracts;

namespace Rlhf.Core.Labeling;

/// <summary>How one principle of the constitution scored the two completions of a comparison.</summary>
public sealed record PrincipleVerdict(string Principle, double Weight, double FirstScore, double SecondScore, PairVerdict Verdict);

/// <summary>
/// One line of an AI judge's <c>runs/{runId}/labels/judge/batch-NNNN.jsonl</c>: its verdict on one comparison
/// (completions <see cref="First"/> &lt; <see cref="Second"/> of a prompt) with what it is made of, so ties
/// (which have no preference line) and per-principle verdicts can be analysed and routed.
/// </summary>
public sealed record JudgeVerdict
{
    /// <summary>A verdict with its ids filled in for pair (i, j) of <paramref name="item"/>.</summary>
    public static JudgeVerdict For(SampleRecord item, int i, int j, string labeler, PairVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new()
        {
            ComparisonId = LabelVote.ComparisonOf(item.PromptId, i, j),
            PromptId = item.PromptId,
            First = i,
            Second = j,
            Labeler = labeler,
            Verdict = verdict,
        };
    }

    public required string ComparisonId { get; init; }
    public required string PromptId { get; init; }
    public required int First { get; init; }
    public required int Second { get; init; }
    public required string Labeler { get; init; }

    /// <summary>The judge's final verdict, relative to (First, Second).</summary>
    public required PairVerdict Verdict { get; init; }

    /// <summary>Per-principle scores and verdicts (local judges).</summary>
    public IReadOnlyList<PrincipleVerdict> Principles { get; init; } = [];

    /// <summary>Verdict by position when First was shown as A (First = position A); null when not asked or unreadable.</summary>
    public PairVerdict? Forward { get; init; }

    /// <summary>Verdict by position when Second was shown as A (First = position A = completion Second); null when not asked or unreadable.</summary>
    public PairVerdict? Reversed { get; init; }

    /// <summary>Requests sent to a remote judge for this comparison, retries included (0 for local judges).</summary>
    public int Requests { get; init; }

    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }

    /// <summary>The vote this verdict stands for in agreement statistics.</summary>
    public LabelVote ToVote() => new(ComparisonId, Labeler, Verdict);
}

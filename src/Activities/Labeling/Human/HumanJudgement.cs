using System.Globalization;

namespace Rlhf.Activities.Labeling.Human;

/// <summary>What one person said about one comparison (a prompt and its K completions).</summary>
public enum HumanVerdict
{
    /// <summary>A full order of the completions, best first (for a pair: the preferred one first).</summary>
    Ranked,

    /// <summary>Equally good: no preference.</summary>
    Tie,

    /// <summary>Both (all) bad: no preference between them.</summary>
    BothBad,

    /// <summary>Did not judge (unsure, or the text is unreadable).</summary>
    Skip,
}

/// <summary>
/// One line of <c>runs/{runId}/labels/human/batch-NNNN/{labeler}.jsonl</c>: one labeler's verdict on one comparison.
/// <see cref="Ranking"/> holds completion indices best first, set only when <see cref="Verdict"/> is <see cref="HumanVerdict.Ranked"/>.
/// The line carries no timestamp, so a replayed submission writes the same bytes (a write-once no-op).
/// </summary>
public sealed record HumanJudgement(string ComparisonId, string PromptId, string Labeler, HumanVerdict Verdict, IReadOnlyList<int>? Ranking, string? Reason);

/// <summary>The comparison ids the page and the submissions use: <c>{runId}:{batchIndex}:{promptId}</c> (run ids have no ':').</summary>
public static class ComparisonIds
{
    public static string Of(string runId, int batchIndex, string promptId) =>
        string.Create(CultureInfo.InvariantCulture, $"{runId}:{batchIndex}:{promptId}");

    /// <summary>The run, batch and prompt an id names, or null when it is not of that shape.</summary>
    public static (string RunId, int BatchIndex, string PromptId)? Parse(string? comparisonId)
    {
        var parts = comparisonId?.Split(':', 3);
        return parts is { Length: 3 } && parts[0].Length > 0 && parts[2].Length > 0
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var batch)
            ? (parts[0], batch, parts[2])
            : null;
    }
}

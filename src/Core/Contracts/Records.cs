namespace Rlhf.Core.Contracts;

/// <summary>One line of a sample step's <c>samples.jsonl</c> (as the trainer's <c>sample</c> verb writes it): K completions of one prompt.</summary>
public sealed record SampleRecord(string PromptId, string Prompt, IReadOnlyList<SampleCompletion> Completions);

/// <summary>One completion: its text, its length in tokens and whether it ended with EOS.</summary>
public sealed record SampleCompletion(string Text, int Tokens = 0, bool EndedWithEos = false);

/// <summary>
/// One line of a labels / preferences file: the TRL preference format (<c>prompt</c>, <c>chosen</c>,
/// <c>rejected</c>) plus ids, the K-wise ranking of the prompt's completions (indices, best first)
/// and who labeled it. A prompt with K completions gives C(K,2) lines sharing one <see cref="Ranking"/>.
/// Provenance (<see cref="RunId"/>, <see cref="Batch"/>, <see cref="Labeler"/>) says which sample set a line compares:
/// the merged preference file of a nightly run holds lines of several runs, and the reward trainer never groups
/// lines of different sample sets into one ranking.
/// </summary>
public sealed record PreferenceRecord
{
    /// <summary>The run whose samples this line compares (null in files written before provenance: see <see cref="SampleSet"/>).</summary>
    public string? RunId { get; init; }

    /// <summary>The label batch of that run the line came from (stamped by the merge step; null before it).</summary>
    public int? Batch { get; init; }

    /// <summary><c>{promptId}:{chosenIndex}-{rejectedIndex}</c> (indices into the prompt's completions, smaller first).</summary>
    public required string Id { get; init; }
    public required string PromptId { get; init; }
    public required string Prompt { get; init; }
    public required string Chosen { get; init; }
    public required string Rejected { get; init; }
    public required int ChosenIndex { get; init; }
    public required int RejectedIndex { get; init; }
    public required IReadOnlyList<int> Ranking { get; init; }
    public required string Labeler { get; init; }

    /// <summary>Whether people labeled this line (labeler <c>human:…</c>), as opposed to a judge or a simulated annotator.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsHuman => Labeler.StartsWith("human:", StringComparison.Ordinal);

    /// <summary>
    /// The sample set the line compares, <c>{runId}</c> or <c>{runId}/batch-N</c>: <see cref="RunId"/> when set, else the run id
    /// that prefixes <see cref="Id"/> (<c>{runId}:{promptId}:{i}-{j}</c>), else empty (a file of lines without provenance is one set).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string SampleSet => SourceRun + (Batch is { } batch ? $"/batch-{batch}" : "");

    /// <summary>The run the line came from: <see cref="RunId"/>, else the run id prefixing <see cref="Id"/>, else empty.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string SourceRun => RunId ?? RunIdOfId() ?? "";

    /// <summary>The run id that prefixes <see cref="Id"/> (<c>{runId}:{promptId}:{i}-{j}</c>), or null when the id has no such prefix.</summary>
    public string? RunIdOfId()
    {
        var suffix = $":{PromptId}:";
        var at = Id.LastIndexOf(suffix, StringComparison.Ordinal);
        return at > 0 ? Id[..at] : null;
    }

    /// <summary>The line for comparison (i, j) of a prompt's completions (i &lt; j), <paramref name="firstWins"/> saying whether i was chosen.</summary>
    public static PreferenceRecord ForPair(string runId, SampleRecord item, int i, int j, bool firstWins, IReadOnlyList<int> ranking, string labeler)
    {
        ArgumentNullException.ThrowIfNull(item);
        var (chosen, rejected) = firstWins ? (i, j) : (j, i);
        return new PreferenceRecord
        {
            RunId = runId,
            Id = $"{runId}:{item.PromptId}:{i}-{j}",
            PromptId = item.PromptId,
            Prompt = item.Prompt,
            Chosen = item.Completions[chosen].Text,
            Rejected = item.Completions[rejected].Text,
            ChosenIndex = chosen,
            RejectedIndex = rejected,
            Ranking = ranking,
            Labeler = labeler,
        };
    }

    /// <summary>
    /// The K-wise ranking implied by per-completion points (most first, ties by index), or empty when some
    /// (chosen, rejected) vote disagrees with it — a preference cycle (0 ≻ 1 ≻ 2 ≻ 0) has no ranking every vote
    /// agrees with, and the reward trainer rejects a line whose ranking contradicts its pair, so such a prompt's
    /// votes are kept as plain pairs.
    /// </summary>
    public static IReadOnlyList<int> RankingOf<TPoints>(IReadOnlyList<TPoints> points, IEnumerable<(int Chosen, int Rejected)> votes)
    {
        ArgumentNullException.ThrowIfNull(points);
        var ranking = Enumerable.Range(0, points.Count).OrderByDescending(k => points[k]).ThenBy(k => k).ToList();
        return votes.All(v => ranking.IndexOf(v.Chosen) < ranking.IndexOf(v.Rejected)) ? ranking : [];
    }
}

/// <summary>
/// One line of the evaluate step's <c>samples.jsonl</c>: policy sample <see cref="Index"/> of a prompt next to the
/// reference (SFT) sample with the same index and seed, with their RM and gold scores and the policy sample's KL.
/// Written by the trainer's evaluate verb, read by the run report.
/// </summary>
public sealed record EvaluationSample(
    string PromptId,
    string Prompt,
    int Index,
    string Policy,
    string Reference,
    double PolicyReward,
    double ReferenceReward,
    double? PolicyGold,
    double? ReferenceGold,
    double Kl);

/// <summary>The metric keys the evaluate job writes and the publish gate reads.</summary>
public static class MetricKeys
{
    public const string Gold = "eval/gold";
    public const string Reward = "eval/reward";
    public const string Kl = "eval/kl";
    public const string WinRate = "eval/win_rate";
    public const string GoldAgreement = "labels/gold_agreement";
}

namespace Rlhf.Core.Contracts;

/// <summary>One line of a sample step's <c>samples.jsonl</c> (as the trainer's <c>sample</c> verb writes it): K completions of one prompt.</summary>
public sealed record SampleRecord(string PromptId, string Prompt, IReadOnlyList<SampleCompletion> Completions);

/// <summary>One completion: its text, its length in tokens and whether it ended with EOS.</summary>
public sealed record SampleCompletion(string Text, int Tokens = 0, bool EndedWithEos = false);

/// <summary>
/// One line of a labels / preferences file: the TRL preference format (<c>prompt</c>, <c>chosen</c>,
/// <c>rejected</c>) plus ids, the K-wise ranking of the prompt's completions (indices, best first)
/// and who labeled it. A prompt with K completions gives C(K,2) lines sharing one <see cref="Ranking"/>.
/// </summary>
public sealed record PreferenceRecord
{
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
}

/// <summary>The metric keys the evaluate job writes and the publish gate reads.</summary>
public static class MetricKeys
{
    public const string Gold = "eval/gold";
    public const string Reward = "eval/reward";
    public const string Kl = "eval/kl";
    public const string WinRate = "eval/win_rate";
    public const string GoldAgreement = "labels/gold_agreement";
}

namespace Rlhf.Core.Demo;

/// <summary>Which corpus sentences become prompts and how they are split.</summary>
public sealed record PromptBuilderOptions
{
    /// <summary>Fewest words in a prompt (a sentence opening).</summary>
    public int MinPromptWords { get; init; } = 3;

    /// <summary>Most words in a prompt; the length per sentence is picked by a hash of the sentence.</summary>
    public int MaxPromptWords { get; init; } = 6;

    /// <summary>Shortest eligible sentence, in words, so every reference continuation has at least four words.</summary>
    public int MinSentenceWords { get; init; } = 10;

    /// <summary>Longest eligible sentence, in words.</summary>
    public int MaxSentenceWords { get; init; } = 40;

    /// <summary>Percentage of distinct prompts that go to the held-out set (by a hash of the prompt text).</summary>
    public int HeldoutPercent { get; init; } = 10;
}

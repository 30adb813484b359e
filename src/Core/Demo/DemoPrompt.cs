namespace Rlhf.Core.Demo;

/// <summary>One line of <c>prompts.*.jsonl</c>: a sentence opening the policy continues.</summary>
public sealed record DemoPrompt(string Id, string Prompt);

/// <summary>One line of <c>references.jsonl</c>: the real rest of the sentence, so <c>Prompt + Reference</c> is the corpus sentence.</summary>
public sealed record DemoReference(string Id, string Prompt, string Reference)
{
    public DemoPrompt ToPrompt() => new(Id, Prompt);
}

/// <summary>Prompts split deterministically into training and held-out sets.</summary>
public sealed record PromptSplit(IReadOnlyList<DemoReference> Train, IReadOnlyList<DemoReference> Heldout);

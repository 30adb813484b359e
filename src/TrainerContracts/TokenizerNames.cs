namespace Rlhf.TrainerContracts;

/// <summary>The tokenizers the trainer knows, by the name a spec writes (<c>params.model.tokenizer</c>).</summary>
public static class TokenizerNames
{
    /// <summary>Bytes plus BOS/EOS (258 ids).</summary>
    public const string Byte = "byte";

    /// <summary>GPT-2 BPE (50257 ids).</summary>
    public const string Gpt2 = "gpt2";

    /// <summary>Bytes plus the SFT corpus's most frequent words.</summary>
    public const string Words = "words";

    /// <summary>Every name, in the trainer's order.</summary>
    public static IReadOnlyList<string> All { get; } = [Byte, Gpt2, Words];
}

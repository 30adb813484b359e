namespace Rlhf.TrainerJob.Tokenizers;

/// <summary>Text ↔ token ids for one model family.</summary>
public interface ITokenizer
{
    /// <summary>Descriptor type written to the model folder (<c>byte</c>, <c>gpt2</c>).</summary>
    string Name { get; }

    /// <summary>Number of ids the model must embed (specials included).</summary>
    int VocabSize { get; }

    /// <summary>End-of-sequence id: generation stops after emitting it.</summary>
    int EosId { get; }

    /// <summary>Padding id (masked out; may equal <see cref="EosId"/>).</summary>
    int PadId { get; }

    /// <summary>Encodes text (no EOS is appended).</summary>
    int[] Encode(string text);

    /// <summary>Decodes ids to text, skipping EOS/PAD; invalid UTF-8 becomes U+FFFD.</summary>
    string Decode(ReadOnlySpan<int> ids);
}

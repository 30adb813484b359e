using System.Text;

namespace Rlhf.TrainerJob.Tokenizers;

/// <summary>UTF-8 bytes as ids 0–255, plus EOS = 256 and PAD = 257 (vocab 258). For the built-in demo.</summary>
public sealed class ByteTokenizer : ITokenizer
{
    public const string TypeName = TokenizerNames.Byte;

    public string Name => TypeName;

    public int VocabSize => 258;

    public int EosId => 256;

    public int PadId => 257;

    public int[] Encode(string text) => Array.ConvertAll(Encoding.UTF8.GetBytes(text), b => (int)b);

    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>(ids.Length);
        foreach (var id in ids)
        {
            if (id is < 0 or >= 258)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, "Byte tokenizer ids are 0–257.");
            }

            if (id < 256)
            {
                bytes.Add((byte)id);
            }
        }

        // Encoding.UTF8 replaces invalid sequences (e.g. a truncated multi-byte character) with U+FFFD.
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}

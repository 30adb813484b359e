using System.Text;

namespace Rlhf.TrainerJob.Tokenizers;

/// <summary>
/// Whole words over a byte fallback, for the built-in demo: ids 0–255 are UTF-8 bytes, 256 is EOS, 257 is PAD, and
/// 258… are the corpus's most frequent ASCII words, each with or without its leading space (<c>" whale"</c>,
/// <c>"Call"</c>). Text splits into pieces — an optional space plus a run of ASCII letters, or any other single
/// character — and a piece in the vocabulary becomes one id while anything else becomes its bytes, so every text
/// round-trips exactly and unknown or misspelled words stay spellable.
/// <para>Why not bytes alone: the demo's gold score is made of word lists (plain words, sentiment, stopwords), and a
/// small byte-level reward model could not learn which byte strings are listed words (88 % of the ceiling where a
/// bag-of-words logistic regression on the same labels reached 94 %; docs/learning-outcome.md). Why not GPT-2's BPE:
/// its 50,257-way output layer costs ~30× a small model's body per token on a CPU.</para>
/// </summary>
public sealed class WordVocabTokenizer : ITokenizer
{
    public const string TypeName = TokenizerNames.Words;

    private const int FirstWordId = 258;

    private readonly string[] words;
    private readonly Dictionary<string, int> ids;

    /// <param name="words">Vocabulary words in id order (id = 258 + index); each at least two characters, an optional leading space then ASCII letters.</param>
    public WordVocabTokenizer(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        this.words = [.. words];
        ids = new Dictionary<string, int>(this.words.Length, StringComparer.Ordinal);
        for (var i = 0; i < this.words.Length; i++)
        {
            var word = this.words[i];
            if (word is null || word.Length < 2 || !IsWordPiece(word))
            {
                throw new ArgumentException($"Vocabulary entry {i} ('{word}') is not a word piece: an optional leading space then ASCII letters, two characters at least.", nameof(words));
            }

            if (!ids.TryAdd(word, FirstWordId + i))
            {
                throw new ArgumentException($"Vocabulary entry {i} ('{word}') repeats an earlier entry.", nameof(words));
            }
        }
    }

    public string Name => TypeName;

    public int VocabSize => FirstWordId + words.Length;

    public int EosId => 256;

    public int PadId => 257;

    /// <summary>The vocabulary words in id order (id = 258 + index).</summary>
    public IReadOnlyList<string> Words => words;

    /// <summary>
    /// The <paramref name="maxWords"/> most frequent word pieces of <paramref name="corpus"/> seen at least
    /// <paramref name="minCount"/> times (ties broken by ordinal order, so the same corpus always gives the same ids).
    /// </summary>
    public static WordVocabTokenizer Build(string corpus, int maxWords, int minCount = 2)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWords);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (start, length, isWord) in Pieces(corpus))
        {
            if (isWord && length >= 2)
            {
                var piece = corpus.Substring(start, length);
                counts[piece] = counts.GetValueOrDefault(piece) + 1;
            }
        }

        var top = counts
            .Where(c => c.Value >= minCount)
            .OrderByDescending(c => c.Value)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(maxWords)
            .Select(c => c.Key)
            .ToList();
        return new WordVocabTokenizer(top);
    }

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<int>(text.Length / 2);
        foreach (var (start, length, isWord) in Pieces(text))
        {
            var piece = text.Substring(start, length);
            if (isWord && length >= 2 && ids.TryGetValue(piece, out var id))
            {
                result.Add(id);
            }
            else
            {
                result.AddRange(Encoding.UTF8.GetBytes(piece).Select(b => (int)b));
            }
        }

        return [.. result];
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>(ids.Length * 2);
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Word tokenizer ids are 0–{VocabSize - 1}.");
            }

            if (id < 256)
            {
                bytes.Add((byte)id);
            }
            else if (id >= FirstWordId)
            {
                foreach (var c in words[id - FirstWordId])
                {
                    bytes.Add((byte)c);
                }
            }
        }

        // Encoding.UTF8 replaces invalid sequences (e.g. a truncated multi-byte character) with U+FFFD.
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>
    /// Splits text into pieces: a word (an optional space followed by a run of ASCII letters) or one character
    /// (a surrogate pair counts as one).
    /// </summary>
    private static IEnumerable<(int Start, int Length, bool IsWord)> Pieces(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            var letters = text[i] == ' ' && i + 1 < text.Length && char.IsAsciiLetter(text[i + 1]) ? i + 1 : i;
            if (char.IsAsciiLetter(text[letters]))
            {
                i = letters;
                while (i < text.Length && char.IsAsciiLetter(text[i]))
                {
                    i++;
                }

                yield return (start, i - start, true);
                continue;
            }

            i += char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            yield return (start, i - start, false);
        }
    }

    private static bool IsWordPiece(string word)
    {
        var letters = word[0] == ' ' ? word.AsSpan(1) : word.AsSpan();
        return letters.Length > 0 && !letters.ContainsAnyExcept(AsciiLetters);
    }

    private static readonly System.Buffers.SearchValues<char> AsciiLetters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}

using System.Text.RegularExpressions;

namespace Rlhf.Core.Demo;

/// <summary>
/// Word-level view of text used by the gold scorer and the prompt builder. A word is a run of ASCII
/// letters/digits with optional internal apostrophes (<c>don't</c>); hyphens and other punctuation
/// separate words. Words are lower-cased; text is normalised with <see cref="TextNormalizer"/> first,
/// so curly apostrophes and accents from any source behave like the corpus.
/// </summary>
public static partial class WordTokenizer
{
    public static IReadOnlyList<string> Words(string text)
    {
        var normalized = TextNormalizer.NormalizeInline(text);
        return WordPattern().Matches(normalized).Select(m => m.Value.ToLowerInvariant()).ToList();
    }

    /// <summary>
    /// Crude suffix stripper for topic matching (<c>whales</c>, <c>whaling</c> → <c>whal</c>): drops
    /// <c>'s</c>, then one of <c>ies→y</c>, <c>ing</c>, <c>ed</c>, <c>es</c>, <c>s</c> (not <c>ss</c>) when at
    /// least three letters remain, then a trailing <c>e</c> for words longer than four letters.
    /// </summary>
    public static string Stem(string word)
    {
        var w = word.EndsWith("'s", StringComparison.Ordinal) ? word[..^2] : word;
        if (w.Length > 4 && w.EndsWith("ies", StringComparison.Ordinal))
        {
            w = w[..^3] + "y";
        }
        else
        {
            foreach (var suffix in (ReadOnlySpan<string>)["ing", "ed", "es", "s"])
            {
                if (w.Length - suffix.Length >= 3 && w.EndsWith(suffix, StringComparison.Ordinal) && !w.EndsWith("ss", StringComparison.Ordinal))
                {
                    w = w[..^suffix.Length];
                    break;
                }
            }
        }

        return w.Length > 4 && w.EndsWith('e') ? w[..^1] : w;
    }

    [GeneratedRegex("[A-Za-z0-9]+(?:'[A-Za-z]+)*")]
    private static partial Regex WordPattern();
}

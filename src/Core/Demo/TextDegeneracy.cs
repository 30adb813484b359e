using System.Text.RegularExpressions;

namespace Rlhf.Core.Demo;

/// <summary>
/// Measures of degenerate text, each a share in [0, 1]: repeated words or bigrams, chunks that are not
/// plausible English words or numbers, and characters inside runs of one repeated character.
/// </summary>
public static partial class TextDegeneracy
{
    /// <summary>
    /// max(repeated content-word share, repeated bigram share): (count − distinct) / count over the words
    /// that are not stopwords, and over adjacent word pairs. "good good good good" → 0.75.
    /// </summary>
    public static double WordRepetition(IReadOnlyList<string> words, IReadOnlySet<string> stopwords)
    {
        var content = words.Where(w => !stopwords.Contains(w)).ToList();
        var bigrams = words.Zip(words.Skip(1), (a, b) => $"{a} {b}").ToList();
        return Math.Max(RepeatedShare(content), RepeatedShare(bigrams));
    }

    /// <summary>Share of whitespace-separated chunks that are neither words (<see cref="IsPlausibleWord"/>), numbers nor short punctuation.</summary>
    public static double NonWordShare(string normalizedText)
    {
        var chunks = normalizedText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return chunks.Length == 0 ? 0 : chunks.Count(c => !IsWordChunk(c)) / (double)chunks.Length;
    }

    /// <summary>Share of non-space characters inside runs of ≥ 3 identical letters or ≥ 4 identical symbols ("zzzz", "!!!!").</summary>
    public static double CharRunShare(string normalizedText)
    {
        var nonSpace = 0;
        var inRuns = 0;
        var i = 0;
        while (i < normalizedText.Length)
        {
            var c = normalizedText[i];
            var j = i;
            while (j < normalizedText.Length && normalizedText[j] == c)
            {
                j++;
            }

            if (c != ' ')
            {
                var run = j - i;
                nonSpace += run;
                var limit = char.IsLetter(c) ? 3 : char.IsDigit(c) ? int.MaxValue : 4;
                inRuns += run >= limit ? run : 0;
            }

            i = j;
        }

        return nonSpace == 0 ? 0 : inRuns / (double)nonSpace;
    }

    /// <summary>
    /// Letters with internal apostrophes or hyphens, each hyphen-part ≤ 20 letters, containing a vowel
    /// (a, e, i, o, u, y) unless ≤ 3 letters long, no letter three times in a row, no run of 6 consonants,
    /// and not one ≤ 3-letter unit repeated three or more times ("lalala").
    /// </summary>
    public static bool IsPlausibleWord(string token) =>
        WordShape().IsMatch(token) && token.Split('-').All(IsPlausiblePart);

    private static bool IsPlausiblePart(string part)
    {
        var letters = part.Replace("'", "", StringComparison.Ordinal).ToLowerInvariant();
        return letters.Length <= 20
            && (letters.Length <= 3 || letters.Any(IsVowel))
            && !TripleLetter().IsMatch(letters)
            && !ConsonantRun().IsMatch(letters)
            && !RepeatedUnit().IsMatch(letters);
    }

    private static bool IsWordChunk(string chunk)
    {
        var trimmed = chunk.Trim(EdgePunctuation);
        if (trimmed.Length == 0)
        {
            return chunk.Length <= 3;
        }

        return InnerSeparator().Split(trimmed)
            .Where(part => part.Length > 0)
            .All(part => IsPlausibleWord(part) || NumberShape().IsMatch(part));
    }

    private static double RepeatedShare(IReadOnlyCollection<string> items) =>
        items.Count < 2 ? 0 : (items.Count - items.Distinct(StringComparer.Ordinal).Count()) / (double)items.Count;

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';

    private static readonly char[] EdgePunctuation = ['.', ',', ';', ':', '!', '?', '"', '\'', '(', ')', '[', ']', '-'];

    [GeneratedRegex("^[A-Za-z]+(?:['-][A-Za-z]+)*$")]
    private static partial Regex WordShape();

    [GeneratedRegex(@"^\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:%|st|nd|rd|th|s)?$")]
    private static partial Regex NumberShape();

    [GeneratedRegex(@"--|[.,;:!?/""()\[\]]")]
    private static partial Regex InnerSeparator();

    [GeneratedRegex("(.)\\1\\1")]
    private static partial Regex TripleLetter();

    [GeneratedRegex("[^aeiouy]{6}")]
    private static partial Regex ConsonantRun();

    [GeneratedRegex("^(.{1,3})\\1{2,}$")]
    private static partial Regex RepeatedUnit();
}

namespace Rlhf.Core.Demo;

/// <summary>
/// Splits a normalised paragraph into sentences. A sentence ends at <c>.</c>, <c>!</c> or <c>?</c>
/// (plus any closing quotes or brackets) followed by a space and an upper-case letter or an opening
/// quote; a period after a known abbreviation (<c>Mr.</c>, <c>St.</c>) or a single capital other than
/// <c>I</c> (<c>U.S.</c>, initials) does not end a sentence. Every returned sentence is a substring of the paragraph.
/// </summary>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "messrs", "dr", "st", "jr", "sr", "mt", "no", "nos", "vs", "etc", "viz", "gen", "col",
        "capt", "lt", "gov", "sen", "rep", "hon", "prof", "rev", "co", "inc", "ltd", "vol", "ch", "art", "sec",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec",
    };

    public static IReadOnlyList<string> Split(string paragraph)
    {
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < paragraph.Length; i++)
        {
            var c = paragraph[i];
            if (c is not ('.' or '!' or '?'))
            {
                continue;
            }

            var end = i + 1;
            while (end < paragraph.Length && paragraph[end] is '"' or '\'' or ')' or ']')
            {
                end++;
            }

            if (!StartsNewSentence(paragraph, end) || (c == '.' && IsAbbreviation(paragraph, i)))
            {
                continue;
            }

            Add(sentences, paragraph[start..end]);
            start = end;
            i = end - 1;
        }

        Add(sentences, paragraph[start..]);
        return sentences;
    }

    private static void Add(List<string> sentences, string candidate)
    {
        var trimmed = candidate.Trim();
        if (trimmed.Length > 0)
        {
            sentences.Add(trimmed);
        }
    }

    /// <summary>True when <paramref name="at"/> is a space followed by a capital, or by a quote and a capital.</summary>
    private static bool StartsNewSentence(string text, int at)
    {
        if (at >= text.Length || text[at] != ' ')
        {
            return false;
        }

        var next = at + 1;
        while (next < text.Length && text[next] is '"' or '\'' or '(')
        {
            next++;
        }

        return next < text.Length && char.IsUpper(text[next]);
    }

    /// <summary>The word before the period at <paramref name="dot"/> is an abbreviation or a single capital.</summary>
    private static bool IsAbbreviation(string text, int dot)
    {
        var wordStart = dot;
        while (wordStart > 0 && char.IsLetter(text[wordStart - 1]))
        {
            wordStart--;
        }

        var word = text[wordStart..dot];
        return (word.Length == 1 && char.IsUpper(word[0]) && word[0] != 'I') || Abbreviations.Contains(word);
    }
}

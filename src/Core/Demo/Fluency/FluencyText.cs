using System.Text.RegularExpressions;

namespace Rlhf.Core.Demo.Fluency;

/// <summary>
/// The fluency judge's view of text: after <see cref="TextNormalizer"/>, lower-cased tokens that are words
/// (ASCII letters/digits with internal apostrophes, as <see cref="WordTokenizer"/>), the punctuation marks
/// <c>. ! ? , ; :</c> and the dash <c>--</c>. Quotes and brackets are dropped. <c>. ! ?</c> end a sentence.
/// </summary>
public static partial class FluencyText
{
    public static IReadOnlyList<string> Tokens(string text) =>
        TokenPattern().Matches(TextNormalizer.NormalizeInline(text)).Select(m => m.Value.ToLowerInvariant()).ToList();

    public static bool IsWord(string token) => token.Length > 0 && (char.IsLetterOrDigit(token[0]) || token[0] == '#');

    /// <summary>
    /// The syntactic skeleton of a token list: function words and punctuation stay, every other word becomes its
    /// shape class <c>#ing</c>, <c>#ed</c>, <c>#ly</c>, <c>#s</c>, <c>#num</c> or <c>#w</c>. A small model of
    /// skeletons sees each pattern ("the #w of the #w") thousands of times, so it can tell word order that English
    /// allows from salad even where the words themselves are rare.
    /// </summary>
    public static IReadOnlyList<string> Skeleton(IReadOnlyList<string> tokens, IReadOnlySet<string> functionWords) =>
        tokens.Select(t => !IsWord(t) || functionWords.Contains(t) ? t : Shape(t)).ToList();

    private static string Shape(string word) =>
        char.IsDigit(word[0]) ? "#num"
        : word.Length > 4 && word.EndsWith("ing", StringComparison.Ordinal) ? "#ing"
        : word.Length > 3 && word.EndsWith("ed", StringComparison.Ordinal) ? "#ed"
        : word.Length > 3 && word.EndsWith("ly", StringComparison.Ordinal) ? "#ly"
        : word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? "#s"
        : "#w";

    public static bool EndsSentence(string token) => token is "." or "!" or "?";

    /// <summary>
    /// True when the text's last visible character, after closing quotes and brackets, is <c>.</c>, <c>!</c> or
    /// <c>?</c>, and the text holds at least one word: the continuation finishes a sentence instead of stopping
    /// mid-way (at the length limit, say).
    /// </summary>
    public static bool IsComplete(string continuation)
    {
        var text = TextNormalizer.NormalizeInline(continuation).TrimEnd().TrimEnd('"', '\'', ')', ']');
        return text.Length > 0 && text[^1] is '.' or '!' or '?' && Tokens(text).Any(IsWord);
    }

    [GeneratedRegex(@"[A-Za-z0-9]+(?:'[A-Za-z]+)*|--|[.!?,;:]")]
    private static partial Regex TokenPattern();
}

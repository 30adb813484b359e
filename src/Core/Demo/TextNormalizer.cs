using System.Globalization;
using System.Text;

namespace Rlhf.Core.Demo;

/// <summary>
/// Turns source text into the plain ASCII the demo trains on: typographic quotes become ASCII quotes,
/// em/en dashes become <c>--</c>/<c>-</c>, accents are folded (<c>naïve</c> → <c>naive</c>), any other
/// non-ASCII character is dropped and whitespace runs collapse to one space. Paragraphs (blank-line
/// separated blocks) are kept.
/// </summary>
public static class TextNormalizer
{
    /// <summary>Normalises one block of text to a single line of ASCII.</summary>
    public static string NormalizeInline(string text)
    {
        var folded = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(folded.Length);
        var pendingSpace = false;
        foreach (var c in folded)
        {
            var mapped = Map(c);
            if (mapped is null)
            {
                continue;
            }

            if (mapped == " ")
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(mapped);
        }

        return sb.ToString();
    }

    /// <summary>Splits on blank lines and normalises each paragraph; empty paragraphs are dropped.</summary>
    public static IReadOnlyList<string> Paragraphs(string text)
    {
        var blocks = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        return blocks.Select(NormalizeInline).Where(p => p.Length > 0).ToList();
    }

    /// <summary>Lower-case invariant form used for lexicon entries and word matching.</summary>
    public static string Fold(string word) => NormalizeInline(word).ToLower(CultureInfo.InvariantCulture);

    /// <summary>The ASCII replacement of one (already decomposed) character; null drops it, " " is whitespace.</summary>
    private static string? Map(char c)
    {
        if (char.IsWhiteSpace(c))
        {
            return " ";
        }

        return c switch
        {
            '\u2018' or '\u2019' or '\u201A' or '\u2032' or '`' => "'",
            '\u201C' or '\u201D' or '\u201E' or '\u2033' => "\"",
            '\u2014' or '\u2015' => "--",
            '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2212' => "-",
            '\u2026' => "...",
            '\u00C6' => "AE",
            '\u00E6' => "ae",
            '\u0152' => "OE",
            '\u0153' => "oe",
            _ when c < 0x20 || c == 0x7F => null,
            _ when c < 0x80 => c.ToString(),
            _ => null, // combining accents (after FormD) and every other non-ASCII character
        };
    }
}

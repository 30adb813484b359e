using System.Globalization;
using System.Text;

namespace Rlhf.Core.Demo;

/// <summary>
/// The word lists behind the gold score, loaded from one folder:
/// <list type="bullet">
/// <item><c>afinn-111.tsv</c>: <c>entry&lt;TAB&gt;valence</c>, valence an integer in [-5, 5] (AFINN-111, Nielsen 2011).</item>
/// <item><c>liu-positive.txt</c>, <c>liu-negative.txt</c>: opinion words (Hu &amp; Liu 2004), one per line.</item>
/// <item><c>dale-chall-easy.txt</c>: the New Dale–Chall list of ~3,000 familiar words, one per line.</item>
/// <item><c>stopwords-en.txt</c>: English function words, one per line.</item>
/// </list>
/// All files are UTF-8; blank lines and lines starting with <c>#</c> are ignored; entries are lower-case,
/// trimmed and unique within a file. Any violation raises <see cref="LexiconFormatException"/> naming the
/// file and line.
/// </summary>
public sealed class Lexicons
{
    public const string AfinnFile = "afinn-111.tsv";
    public const string LiuPositiveFile = "liu-positive.txt";
    public const string LiuNegativeFile = "liu-negative.txt";
    public const string EasyWordsFile = "dale-chall-easy.txt";
    public const string StopwordsFile = "stopwords-en.txt";

    public required IReadOnlyDictionary<string, int> Afinn { get; init; }
    public required IReadOnlySet<string> LiuPositive { get; init; }
    public required IReadOnlySet<string> LiuNegative { get; init; }
    public required IReadOnlySet<string> EasyWords { get; init; }
    public required IReadOnlySet<string> Stopwords { get; init; }

    public static Lexicons Load(string directory) => new()
    {
        Afinn = ReadAfinn(Path.Combine(directory, AfinnFile)),
        LiuPositive = ReadWordList(Path.Combine(directory, LiuPositiveFile)),
        LiuNegative = ReadWordList(Path.Combine(directory, LiuNegativeFile)),
        EasyWords = ReadWordList(Path.Combine(directory, EasyWordsFile)),
        Stopwords = ReadWordList(Path.Combine(directory, StopwordsFile)),
    };

    /// <summary>Writes the five files in the documented format, entries sorted ordinally, each with a header comment.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        WriteLines(Path.Combine(directory, AfinnFile), "AFINN-111 (Finn Årup Nielsen): word<TAB>valence in [-5, 5]",
            Afinn.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}\t{kv.Value.ToString(CultureInfo.InvariantCulture)}"));
        WriteLines(Path.Combine(directory, LiuPositiveFile), "Positive opinion words (Hu and Liu 2004), one per line", Sorted(LiuPositive));
        WriteLines(Path.Combine(directory, LiuNegativeFile), "Negative opinion words (Hu and Liu 2004), one per line", Sorted(LiuNegative));
        WriteLines(Path.Combine(directory, EasyWordsFile), "New Dale-Chall familiar words (Chall and Dale 1995), one per line", Sorted(EasyWords));
        WriteLines(Path.Combine(directory, StopwordsFile), "English stopwords (stdlib stopwords-en), one per line", Sorted(Stopwords));
    }

    public static IReadOnlyDictionary<string, int> ReadAfinn(string path)
    {
        var entries = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, text) in ReadEntries(path))
        {
            var parts = text.Split('\t');
            if (parts.Length != 2)
            {
                throw new LexiconFormatException(path, line, $"expected 'entry<TAB>valence', got '{text}'");
            }

            var entry = CheckEntry(path, line, parts[0].Trim());
            if (!int.TryParse(parts[1].Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var valence) || valence is < -5 or > 5)
            {
                throw new LexiconFormatException(path, line, $"valence of '{entry}' must be an integer in [-5, 5], got '{parts[1].Trim()}'");
            }

            CheckUnique(path, line, entry, firstLine);
            entries[entry] = valence;
        }

        return entries;
    }

    public static IReadOnlySet<string> ReadWordList(string path)
    {
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, text) in ReadEntries(path))
        {
            if (text.Contains('\t', StringComparison.Ordinal))
            {
                throw new LexiconFormatException(path, line, $"expected one entry per line, got a tab in '{text}'");
            }

            CheckUnique(path, line, CheckEntry(path, line, text), firstLine);
        }

        return firstLine.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Non-comment, non-blank lines with their 1-based line numbers.</summary>
    private static IEnumerable<(int Line, string Text)> ReadEntries(string path)
    {
        if (!File.Exists(path))
        {
            throw new LexiconFormatException($"{path}: lexicon file not found");
        }

        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            var text = raw.TrimEnd('\r');
            if (text.Trim().Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            yield return (lineNumber, text);
        }
    }

    private static string CheckEntry(string path, int line, string entry)
    {
        if (entry.Length == 0 || entry != entry.Trim())
        {
            throw new LexiconFormatException(path, line, $"entry '{entry}' is empty or has surrounding spaces");
        }

        if (entry.Any(char.IsUpper))
        {
            throw new LexiconFormatException(path, line, $"entry '{entry}' must be lower-case");
        }

        return entry;
    }

    private static void CheckUnique(string path, int line, string entry, Dictionary<string, int> firstLine)
    {
        if (!firstLine.TryAdd(entry, line))
        {
            throw new LexiconFormatException(path, line, $"duplicate entry '{entry}' (first on line {firstLine[entry]})");
        }
    }

    private static IEnumerable<string> Sorted(IEnumerable<string> words) => words.Order(StringComparer.Ordinal);

    private static void WriteLines(string path, string header, IEnumerable<string> lines)
    {
        var content = new StringBuilder().Append("# ").Append(header).Append('\n');
        foreach (var line in lines)
        {
            content.Append(line).Append('\n');
        }

        File.WriteAllText(path, content.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rlhf.Core.Demo;

/// <summary>
/// The word lists behind the local constitution judge, chosen to share no source with the gold score's
/// (<see cref="Lexicons"/>: AFINN-111, Liu, Dale–Chall, stopwords, and its fluency n-gram model). Files in the lexicon folder:
/// <list type="bullet">
/// <item><c>judge-vader.tsv</c>: <c>word&lt;TAB&gt;valence</c>, the mean of ten raters on [−4, 4] (VADER, Hutto &amp; Gilbert 2014).</item>
/// <item><c>judge-pattern.tsv</c>: <c>adjective&lt;TAB&gt;polarity&lt;TAB&gt;subjectivity&lt;TAB&gt;intensity</c> (Pattern's English sentiment lexicon, De Smedt &amp; Daelemans 2012).</item>
/// <item><c>judge-profanity.txt</c>: single-word entries of the List of Dirty, Naughty, Obscene and Otherwise Bad Words (English).</item>
/// <item><c>judge-cmudict.tsv</c>: <c>word&lt;TAB&gt;syllables</c> from the first pronunciation in the CMU Pronouncing Dictionary.</item>
/// </list>
/// Same rules as <see cref="Lexicons"/>: UTF-8, <c>#</c> comments, lower-case unique entries; a bad line raises
/// <see cref="LexiconFormatException"/> naming file and line.
/// </summary>
public sealed class JudgeLexicons
{
    public const string VaderFile = "judge-vader.tsv";
    public const string PatternFile = "judge-pattern.tsv";
    public const string ProfanityFile = "judge-profanity.txt";
    public const string CmudictFile = "judge-cmudict.tsv";

    /// <summary>VADER mean valence in [−4, 4].</summary>
    public required IReadOnlyDictionary<string, double> Vader { get; init; }

    /// <summary>Pattern adjectives: polarity [−1, 1], subjectivity [0, 1], intensity (≥ 0; above 1 for intensifiers such as "very").</summary>
    public required IReadOnlyDictionary<string, PatternEntry> Pattern { get; init; }

    public required IReadOnlySet<string> Profanity { get; init; }

    /// <summary>Dictionary words and their syllable counts.</summary>
    public required IReadOnlyDictionary<string, int> Syllables { get; init; }

    public static JudgeLexicons Load(string directory) => new()
    {
        Vader = ReadTable(Path.Combine(directory, VaderFile), 1, p => ParseNumber(p[0], -4, 4)),
        Pattern = ReadTable(Path.Combine(directory, PatternFile), 3, p => new PatternEntry(ParseNumber(p[0], -1, 1), ParseNumber(p[1], 0, 1), ParseNumber(p[2], 0, 10))),
        Profanity = Lexicons.ReadWordList(Path.Combine(directory, ProfanityFile)),
        Syllables = ReadTable(Path.Combine(directory, CmudictFile), 1, p => (int)ParseNumber(p[0], 0, 30)),
    };

    /// <summary>Writes the four files in the documented format, entries sorted ordinally.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var c = CultureInfo.InvariantCulture;
        Write(Path.Combine(directory, VaderFile), "VADER sentiment lexicon (C.J. Hutto and Eric Gilbert, 2014; MIT): word<TAB>mean valence in [-4, 4]",
            Vader.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => string.Create(c, $"{kv.Key}\t{kv.Value:0.###}")));
        Write(Path.Combine(directory, PatternFile), "Pattern English sentiment lexicon (Tom De Smedt, Walter Daelemans; PDDL): adjective<TAB>polarity<TAB>subjectivity<TAB>intensity",
            Pattern.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => string.Create(c, $"{kv.Key}\t{kv.Value.Polarity:0.###}\t{kv.Value.Subjectivity:0.###}\t{kv.Value.Intensity:0.###}")));
        Write(Path.Combine(directory, ProfanityFile), "List of Dirty, Naughty, Obscene and Otherwise Bad Words, English, single words (CC BY 4.0)",
            Profanity.Order(StringComparer.Ordinal));
        Write(Path.Combine(directory, CmudictFile), "CMU Pronouncing Dictionary (Carnegie Mellon University; BSD-2-Clause): word<TAB>syllables of its first pronunciation",
            Syllables.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => string.Create(c, $"{kv.Key}\t{kv.Value}")));
    }

    /// <summary>
    /// Reads the npm files gathered into <c>raw/</c>: <c>vader/vader_lexicon.txt</c> (token, mean, sd, ratings),
    /// <c>pattern/pattern-sentiment-en.json</c>, <c>naughty-words/en.json</c>, <c>cmudict/dict.txt</c>. Keeps single lower-case
    /// words (letters and inner apostrophes): emoticons, phrases and entries such as <c>A42128</c> are dropped.
    /// </summary>
    public static JudgeLexicons ReadRaw(string rawDirectory)
    {
        var vader = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(rawDirectory, "vader", "vader_lexicon.txt"), Encoding.UTF8))
        {
            var parts = line.Split('\t');
            if (parts.Length >= 2 && IsWord(parts[0]) && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
            {
                vader.TryAdd(parts[0].ToLowerInvariant(), valence);
            }
        }

        var pattern = new Dictionary<string, PatternEntry>(StringComparer.Ordinal);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(rawDirectory, "pattern", "pattern-sentiment-en.json"), Encoding.UTF8)))
        {
            foreach (var entry in json.RootElement.EnumerateObject())
            {
                var form = entry.Name.ToLowerInvariant();
                if (IsWord(form))
                {
                    pattern.TryAdd(form, new PatternEntry(Number(entry.Value, "polarity"), Number(entry.Value, "subjectivity"), Number(entry.Value, "intensity")));
                }
            }
        }

        var profanity = JsonSerializer.Deserialize<List<string>>(File.ReadAllText(Path.Combine(rawDirectory, "naughty-words", "en.json"), Encoding.UTF8))!
            .Select(w => w.Trim().ToLowerInvariant()).Where(IsWord).ToHashSet(StringComparer.Ordinal);

        var syllables = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(rawDirectory, "cmudict", "dict.txt"), Encoding.UTF8))
        {
            var split = line.IndexOf("  ", StringComparison.Ordinal);
            var word = split > 0 ? line[..split].ToLowerInvariant() : "";
            if (IsWord(word))
            {
                syllables.TryAdd(word, line[split..].Count(char.IsDigit));                    // stress digits mark the vowels
            }
        }

        return new JudgeLexicons { Vader = vader, Pattern = pattern, Profanity = profanity, Syllables = syllables };
    }

    private static bool IsWord(string text) =>
        text.Length > 0 && char.IsAsciiLetter(text[0]) && char.IsAsciiLetter(text[^1]) && text.All(ch => char.IsAsciiLetter(ch) || ch == '\'');

    private static double Number(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : 0;

    private static double ParseNumber(string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x >= min && x <= max
            ? x
            : throw new FormatException($"expected a number in [{min}, {max}], got '{text}'");

    private static Dictionary<string, T> ReadTable<T>(string path, int columns, Func<string[], T> parse)
    {
        if (!File.Exists(path))
        {
            throw new LexiconFormatException($"{path}: lexicon file not found");
        }

        var entries = new Dictionary<string, T>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (raw.Trim().Length == 0 || raw.StartsWith('#'))
            {
                continue;
            }

            var parts = raw.Split('\t');
            if (parts.Length != columns + 1 || parts[0].Length == 0 || parts[0].Any(char.IsUpper))
            {
                throw new LexiconFormatException(path, number, $"expected a lower-case entry and {columns} tab-separated value(s), got '{raw}'");
            }

            try
            {
                if (!entries.TryAdd(parts[0], parse(parts[1..])))
                {
                    throw new LexiconFormatException(path, number, $"duplicate entry '{parts[0]}'");
                }
            }
            catch (FormatException e)
            {
                throw new LexiconFormatException(path, number, $"'{parts[0]}': {e.Message}");
            }
        }

        return entries;
    }

    private static void Write(string path, string header, IEnumerable<string> lines)
    {
        var content = new StringBuilder().Append("# ").Append(header).Append('\n');
        foreach (var line in lines)
        {
            content.Append(line).Append('\n');
        }

        File.WriteAllText(path, content.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}

/// <summary>One adjective of Pattern's lexicon.</summary>
public sealed record PatternEntry(double Polarity, double Subjectivity, double Intensity);

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rlhf.Core.Demo.Fluency;
using Rlhf.Core.Json;

namespace Rlhf.Core.Demo;

/// <summary>
/// Builds the demo data set from the raw npm files gathered by <c>scripts/fetch-data.sh</c> into
/// <c>data/raw/</c>:
/// <code>
/// raw/moby-dick/chapter_N.txt, epilogue.txt     raw/sotu/{year}_{name}_{party}.txt
/// raw/afinn-111/words.csv (word,valence)        raw/liu-positive/words.txt, raw/liu-negative/words.txt
/// raw/dale-chall/words.txt                      raw/stopwords-en/words.txt
/// raw/vader/vader_lexicon.txt                    raw/pattern/pattern-sentiment-en.json
/// raw/naughty-words/en.json                      raw/cmudict/dict.txt        (the constitution judge's, see JudgeLexicons)
/// </code>
/// and writes <c>corpus.txt</c> (paragraphs separated by blank lines, without the fluency judge's: see
/// <see cref="FluencySplit"/>), <c>prompts.train.jsonl</c>, <c>prompts.heldout.jsonl</c>, <c>references.jsonl</c>,
/// the red-team prompts <c>prompts.redteam.{train,heldout}.jsonl</c> (<see cref="RedTeamPrompts"/>),
/// <c>lexicons/</c> (with the judge's <c>fluency-lm.txt</c> and <c>fluency-heldout.txt</c>), <c>ATTRIBUTION.md</c> and
/// <c>summary.json</c>. The output depends only on the inputs and options, so a rebuild is byte-identical.
/// </summary>
public static partial class DemoDataBuilder
{
    public const string CorpusFile = "corpus.txt";
    public const string TrainPromptsFile = "prompts.train.jsonl";
    public const string HeldoutPromptsFile = "prompts.heldout.jsonl";
    public const string ReferencesFile = "references.jsonl";
    public const string RedTeamTrainFile = "prompts.redteam.train.jsonl";
    public const string RedTeamHeldoutFile = "prompts.redteam.heldout.jsonl";
    public const string LexiconDirectory = "lexicons";
    public const string SummaryFile = "summary.json";

    private static readonly JsonSerializerOptions JsonLines = new(JsonDefaults.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static DemoDataSummary Build(string rawDirectory, string outputDirectory, DemoBuildOptions options)
    {
        var documents = ReadDocuments(rawDirectory, options);
        var allDocuments = options.MobyDickChapters is null && options.SotuAddresses is null ? documents : ReadDocuments(rawDirectory, new DemoBuildOptions());
        var fluency = FluencySplit.Of(allDocuments, documents, options);
        var paragraphs = fluency.CorpusParagraphs;
        var lexicons = ReadRawLexicons(rawDirectory);
        var judgeLexicons = JudgeLexicons.ReadRaw(rawDirectory);

        var candidates = PromptBuilder.Candidates(paragraphs, options.Prompts);
        var split = PromptBuilder.Split(candidates, options.Prompts);
        var train = Cap(split.Train, options.MaxTrainPrompts);
        var heldout = Cap(split.Heldout, options.MaxHeldoutPrompts);
        var redTeam = PromptBuilder.Split(RedTeamPrompts.Candidates(paragraphs, lexicons, options.Prompts), options.Prompts);
        var redTeamTrain = Cap(redTeam.Train, options.MaxRedTeamTrainPrompts);
        var redTeamHeldout = Cap(redTeam.Heldout, options.MaxRedTeamHeldoutPrompts);

        Directory.CreateDirectory(outputDirectory);
        var corpus = string.Join("\n\n", paragraphs) + "\n";
        File.WriteAllText(Path.Combine(outputDirectory, CorpusFile), corpus, Utf8);
        WriteJsonLines(Path.Combine(outputDirectory, TrainPromptsFile), train.Select(r => r.ToPrompt()));
        WriteJsonLines(Path.Combine(outputDirectory, HeldoutPromptsFile), heldout.Select(r => r.ToPrompt()));
        WriteJsonLines(Path.Combine(outputDirectory, ReferencesFile), train.Concat(heldout));
        WriteJsonLines(Path.Combine(outputDirectory, RedTeamTrainFile), redTeamTrain.Select(r => r.ToPrompt()));
        WriteJsonLines(Path.Combine(outputDirectory, RedTeamHeldoutFile), redTeamHeldout.Select(r => r.ToPrompt()));
        var lexiconDirectory = Path.Combine(outputDirectory, LexiconDirectory);
        lexicons.Save(lexiconDirectory);
        judgeLexicons.Save(lexiconDirectory);
        FluencyJudge.Save(lexiconDirectory, fluency.ModelSentences, fluency.HeldoutSentences);
        File.WriteAllText(Path.Combine(outputDirectory, DemoAttribution.FileName), DemoAttribution.Markdown + "\n", Utf8);

        var scorer = GoldScorer.Load(lexiconDirectory);
        var references = train.Concat(heldout).ToList();
        var summary = new DemoDataSummary
        {
            Documents = documents.Count,
            Paragraphs = paragraphs.Count,
            CorpusBytes = Utf8.GetByteCount(corpus),
            CandidatePrompts = candidates.Count,
            TrainPrompts = train.Count,
            HeldoutPrompts = heldout.Count,
            RedTeamTrainPrompts = redTeamTrain.Count,
            RedTeamHeldoutPrompts = redTeamHeldout.Count,
            FluencyModelSentences = fluency.ModelSentences.Count,
            FluencyHeldoutSentences = fluency.HeldoutSentences.Count,
            LexiconEntries = new Dictionary<string, int>
            {
                [Lexicons.AfinnFile] = lexicons.Afinn.Count,
                [Lexicons.LiuPositiveFile] = lexicons.LiuPositive.Count,
                [Lexicons.LiuNegativeFile] = lexicons.LiuNegative.Count,
                [Lexicons.EasyWordsFile] = lexicons.EasyWords.Count,
                [Lexicons.StopwordsFile] = lexicons.Stopwords.Count,
                [JudgeLexicons.VaderFile] = judgeLexicons.Vader.Count,
                [JudgeLexicons.PatternFile] = judgeLexicons.Pattern.Count,
                [JudgeLexicons.ProfanityFile] = judgeLexicons.Profanity.Count,
                [JudgeLexicons.CmudictFile] = judgeLexicons.Syllables.Count,
            },
            GoldReferences = ScoreStats.Of(references.Select(r => scorer.Score(r.Prompt, r.Reference).Total).ToList()),
            GoldRandomSnippets = ScoreStats.Of(RandomSnippets(corpus, references, options.Seed)
                .Select(s => scorer.Score(s.Prompt, s.Reference).Total).ToList()),
        };
        File.WriteAllText(Path.Combine(outputDirectory, SummaryFile), JsonSerializer.Serialize(summary, JsonDefaults.Indented) + "\n", Utf8);
        return summary;
    }

    /// <summary>Normalised paragraphs per document: Moby-Dick chapters in order, then the addresses by file name (year first).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> ReadDocuments(string rawDirectory, DemoBuildOptions options)
    {
        var moby = Path.Combine(rawDirectory, "moby-dick");
        var chapters = Directory.GetFiles(moby, "chapter_*.txt")
            .Select(path => (Path: path, Number: int.Parse(ChapterNumber().Match(Path.GetFileName(path)).Groups[1].Value, CultureInfo.InvariantCulture)))
            .Where(c => options.MobyDickChapters?.Contains(c.Number) ?? true)
            .OrderBy(c => c.Number)
            .Select(c => c.Path)
            .ToList();
        if (options.MobyDickChapters is null)
        {
            chapters.Add(Path.Combine(moby, "epilogue.txt"));
        }

        var addresses = Directory.GetFiles(Path.Combine(rawDirectory, "sotu"), "*.txt")
            .Where(path => options.SotuAddresses?.Contains(Path.GetFileNameWithoutExtension(path)) ?? true)
            .Order(StringComparer.Ordinal);

        var documents = chapters.Select(path => TextNormalizer.Paragraphs(File.ReadAllText(path, Utf8)))
            .Concat(addresses.Select(path => TextNormalizer.Paragraphs(StageDirection().Replace(File.ReadAllText(path, Utf8), ""))))
            .Where(d => d.Count > 0)
            .ToList();
        if (documents.Count == 0)
        {
            throw new InvalidDataException($"No source documents found under {rawDirectory}.");
        }

        return documents;
    }

    /// <summary>Reads the lexicons in their npm formats, folding entries to lower-case ASCII (first occurrence wins).</summary>
    public static Lexicons ReadRawLexicons(string rawDirectory)
    {
        var afinnPath = Path.Combine(rawDirectory, "afinn-111", "words.csv");
        var afinn = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, text) in File.ReadLines(afinnPath, Utf8).Select((t, i) => (i + 1, t)).Skip(1))
        {
            var comma = text.LastIndexOf(',');
            if (comma <= 0 || !int.TryParse(text[(comma + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var valence))
            {
                throw new LexiconFormatException(afinnPath, line, $"expected 'word,valence', got '{text}'");
            }

            afinn.TryAdd(TextNormalizer.Fold(text[..comma]).Trim(), valence);
        }

        return new Lexicons
        {
            Afinn = afinn,
            LiuPositive = ReadRawList(rawDirectory, "liu-positive"),
            LiuNegative = ReadRawList(rawDirectory, "liu-negative"),
            EasyWords = ReadRawList(rawDirectory, "dale-chall"),
            Stopwords = ReadRawList(rawDirectory, "stopwords-en"),
        };
    }

    private static HashSet<string> ReadRawList(string rawDirectory, string name) =>
        File.ReadLines(Path.Combine(rawDirectory, name, "words.txt"), Utf8)
            .Select(w => TextNormalizer.Fold(w).Trim())
            .Where(w => w.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Keeps the <paramref name="max"/> candidates with the lowest ids, in their original order.</summary>
    private static List<DemoReference> Cap(IReadOnlyList<DemoReference> items, int? max)
    {
        if (max is null || items.Count <= max)
        {
            return items.ToList();
        }

        var keep = items.Select(r => r.Id).Order(StringComparer.Ordinal).Take(max.Value).ToHashSet(StringComparer.Ordinal);
        return items.Where(r => keep.Contains(r.Id)).ToList();
    }

    /// <summary>For each reference, a random window of the corpus with as many words, after the same prompt.</summary>
    private static IEnumerable<DemoReference> RandomSnippets(string corpus, IReadOnlyList<DemoReference> references, int seed)
    {
        var words = corpus.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var random = new Random(seed);
        foreach (var r in references)
        {
            var length = Math.Min(words.Length, r.Reference.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            var start = random.Next(words.Length - length + 1);
            yield return r with { Reference = " " + string.Join(' ', words, start, length) };
        }
    }

    private static void WriteJsonLines<T>(string path, IEnumerable<T> items)
    {
        var sb = new StringBuilder();
        foreach (var item in items)
        {
            sb.Append(JsonSerializer.Serialize(item, JsonLines)).Append('\n');
        }

        File.WriteAllText(path, sb.ToString(), Utf8);
    }

    [GeneratedRegex(@"chapter_(\d+)\.txt$")]
    private static partial Regex ChapterNumber();

    /// <summary>Transcript notes such as "(Applause.)" in modern addresses.</summary>
    [GeneratedRegex(@"\s*\((?:[Aa]pplause|[Ll]aughter)[^)]{0,40}\)")]
    private static partial Regex StageDirection();
}

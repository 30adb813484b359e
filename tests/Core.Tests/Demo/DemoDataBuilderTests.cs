using Rlhf.Core.Demo;
using Rlhf.Core.Demo.Fluency;

namespace Rlhf.Core.Tests.Demo;

/// <summary>Builds from a small raw folder laid out like <c>data/raw/</c> (the npm formats), without npm.</summary>
public sealed class DemoDataBuilderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("demo-data-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The synthetic sources are small: half their paragraphs go to the judge, half of its sentences to calibration.</summary>
    private static readonly DemoBuildOptions SmallJudge = new() { FluencyPercent = 50, FluencyHeldoutPercent = 50 };

    [Fact]
    public void Builds_every_output_and_rebuilds_byte_identically()
    {
        var raw = WriteRaw();
        var first = Path.Combine(_root, "out1");
        var second = Path.Combine(_root, "out2");

        var summary = DemoDataBuilder.Build(raw, first, SmallJudge);
        DemoDataBuilder.Build(raw, second, SmallJudge);

        var files = Directory.GetFiles(first, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(first, f)).Order().ToList();
        Assert.Equal(
            ["ATTRIBUTION.md", "corpus.txt", "lexicons/afinn-111.tsv", "lexicons/dale-chall-easy.txt", "lexicons/fluency-heldout.txt", "lexicons/fluency-lm.txt",
             "lexicons/judge-cmudict.tsv", "lexicons/judge-pattern.tsv", "lexicons/judge-profanity.txt", "lexicons/judge-vader.tsv", "lexicons/liu-negative.txt",
             "lexicons/liu-positive.txt", "lexicons/stopwords-en.txt", "prompts.heldout.jsonl", "prompts.redteam.heldout.jsonl", "prompts.redteam.train.jsonl",
             "prompts.train.jsonl", "references.jsonl", "summary.json"],
            files);

        // The judge's lexicons keep single lower-case words (no emoticons, phrases or entries with digits), syllables from the stress digits.
        var judge = JudgeLexicons.Load(Path.Combine(first, DemoDataBuilder.LexiconDirectory));
        Assert.Equal([("kill", -3.7), ("kind", 2.4)], judge.Vader.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)));
        Assert.Equal(["very"], judge.Pattern.Keys);                                 // "13th" is not a word
        Assert.Equal(1.3, judge.Pattern["very"].Intensity);
        Assert.Equal(["damn"], judge.Profanity);
        Assert.Equal([("a", 1), ("whale", 1), ("whaling", 2)], judge.Syllables.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)));
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(first, f)), File.ReadAllBytes(Path.Combine(second, f))));
        Assert.Equal(5, summary.Documents); // two chapters, the epilogue, two addresses
        Assert.True(summary.FluencyModelSentences > 0 && summary.FluencyHeldoutSentences > 1);
        var corpusText = File.ReadAllText(Path.Combine(first, DemoDataBuilder.CorpusFile));
        Assert.All(File.ReadLines(Path.Combine(first, DemoDataBuilder.LexiconDirectory, FluencyJudge.ModelTextFile)).Skip(1),
            s => Assert.DoesNotContain(s, corpusText, StringComparison.Ordinal));
        Assert.Equal(summary.CandidatePrompts, summary.TrainPrompts + summary.HeldoutPrompts);
        Assert.Equal(summary.CandidatePrompts, File.ReadAllLines(Path.Combine(first, DemoDataBuilder.ReferencesFile)).Length);
    }

    [Fact]
    public void Corpus_is_clean_ascii_with_paragraphs_and_no_stage_directions()
    {
        var raw = WriteRaw();
        var output = Path.Combine(_root, "out");

        // The chosen documents stay whole; the judge takes its text from the other address.
        DemoDataBuilder.Build(raw, output, SmallJudge with { SotuAddresses = new HashSet<string> { "2021_a_president_d" }, KeepCorpusWhole = true });
        var corpus = File.ReadAllText(Path.Combine(output, DemoDataBuilder.CorpusFile));

        Assert.All(corpus, c => Assert.True(c < 0x80));
        Assert.DoesNotContain("Applause", corpus, StringComparison.Ordinal);
        Assert.StartsWith("CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago--never mind how long precisely--", corpus, StringComparison.Ordinal);
        Assert.Contains("\n\nCHAPTER 2. The Carpet-Bag.\n\n", corpus, StringComparison.Ordinal);
        Assert.Contains("We meet here in a spirit of kind and good faith.", corpus, StringComparison.Ordinal);
        var lexicons = Lexicons.Load(Path.Combine(output, DemoDataBuilder.LexiconDirectory));
        Assert.Equal(-2, lexicons.Afinn["naive"]);
        Assert.Equal(3, lexicons.Afinn["cool stuff"]);
    }

    [Fact]
    public void Chapter_and_address_filters_select_documents_and_caps_limit_prompts()
    {
        var raw = WriteRaw();
        var options = SmallJudge with
        {
            MobyDickChapters = new HashSet<int> { 2 },
            SotuAddresses = new HashSet<string>(),
            KeepCorpusWhole = true,
            MaxFluencySentences = 2,
            MaxTrainPrompts = 1,
            MaxHeldoutPrompts = 0,
        };

        var summary = DemoDataBuilder.Build(raw, Path.Combine(_root, "out"), options);

        Assert.Equal(1, summary.Documents);
        Assert.Equal(2, summary.FluencyModelSentences);
        Assert.Equal(1, summary.TrainPrompts);
        Assert.Equal(0, summary.HeldoutPrompts);
    }

    private string WriteRaw()
    {
        var raw = Path.Combine(_root, "raw");
        Write(raw, "moby-dick/chapter_1.txt",
            "CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago\u2014never mind how long precisely\u2014having little or no money in my purse, "
            + "and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world. "
            + "It is a way I have of driving off the spleen and regulating the circulation.\n");
        Write(raw, "moby-dick/chapter_2.txt",
            "CHAPTER 2. The Carpet-Bag.\n\nI stuffed a shirt or two into my old carpet-bag, tucked it under my arm, and started for Cape Horn and the Pacific. "
            + "Quitting the good city of old Manhatto, I duly arrived in New Bedford.\n");
        Write(raw, "moby-dick/epilogue.txt", "Epilogue.\n\nThe drama\u2019s done. Why then here does any one step forth?\n");
        Write(raw, "sotu/2021_a_president_d.txt",
            "Thank you. (Applause.) We meet here in a spirit of kind and good faith. Our people have worked hard for every family in this great country this year.");
        // Forty one-sentence paragraphs, so that the judge's hash split (half of them, then half of its sentences) has text.
        Write(raw, "sotu/1900_a_president_r.txt", string.Concat(Enumerable.Range(1, 40).Select(i =>
            $"In the year {i} the ship sailed on through the long and quiet night toward the harbour of home.\n\n")));
        Write(raw, "afinn-111/words.csv", "word,valence\nabandon,-2\ncool stuff,3\ngood,3\nna\u00EFve,-2\n");
        Write(raw, "liu-positive/words.txt", "good\nkind\n");
        Write(raw, "liu-negative/words.txt", "abandon\nna\u00D4ve\n");
        Write(raw, "dale-chall/words.txt", "a\nable\ngood\n");
        Write(raw, "stopwords-en/words.txt", "a\nthe\nof\n");
        Write(raw, "vader/vader_lexicon.txt", ":)\t2.0\t0.6\t[2, 2]\nKill\t-3.7\t0.5\t[-4, -3]\nkind\t2.4\t0.5\t[2, 3]\n");
        Write(raw, "pattern/pattern-sentiment-en.json", """{"13th": {"polarity": "0.0", "subjectivity": "0.0", "intensity": "1.0"}, "Very": {"polarity": "0.2", "subjectivity": "0.3", "intensity": "1.3"}}""");
        Write(raw, "naughty-words/en.json", """["2g1c", "damn", "two words"]""");
        Write(raw, "cmudict/dict.txt", "A  AH0\nA(1)  EY1\nA42128  EY1 F\nWHALE  W EY1 L\nWHALING  W EY1 L IH0 NG\n");
        return raw;
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}

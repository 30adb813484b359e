namespace Rlhf.Core.Demo;

/// <summary>
/// Whether a continuation stays on its prompt's topic, judged from word co-occurrence in held-out public text (the fluency
/// judge's model sentences, which SFT never trains on). The gold's on-topic term counts only the prompt's own content
/// stems coming back, which the demo's prompts (sentence openings with one or two content words) almost never get: "For
/// my part, I abominate" is continued on topic by "… flattery and falsehood", which repeats neither word.
/// <code>
/// contexts      = consecutive windows of <see cref="WindowSentences"/> sentences of the text
/// n(a), n(a, b) = contexts holding content stem a; holding both a and b            (stems as the gold's: ≥ 3 letters, no stopwords)
/// associated    = a = b,  or  n(a, b) ≥ MinCooccurrences  and  PMI(a, b) = ln(N·n(a, b) / (n(a)·n(b))) ≥ MinPmi
/// on topic      = some content stem of the continuation is associated with some content stem of the prompt
/// </code>
/// PMI, not the raw count, so that words found everywhere ("great", "time") are not associated with everything.
/// </summary>
public sealed class TopicAssociation
{
    private readonly Dictionary<string, int[]> _contexts;
    private readonly IReadOnlySet<string> _stopwords;

    private TopicAssociation(Dictionary<string, int[]> contexts, int contextCount, IReadOnlySet<string> stopwords)
    {
        _contexts = contexts;
        ContextCount = contextCount;
        _stopwords = stopwords;
    }

    /// <summary>Sentences per co-occurrence context.</summary>
    public const int WindowSentences = 5;

    /// <summary>Contexts both stems must share.</summary>
    public const int MinCooccurrences = 3;

    /// <summary>ln 4: the pair shares contexts at least four times as often as chance would have it.</summary>
    public static readonly double MinPmi = Math.Log(4);

    /// <summary>N: the contexts counted.</summary>
    public int ContextCount { get; }

    /// <summary>Built from the fluency judge's model sentences in a lexicon folder (<see cref="Fluency.FluencyJudge.ModelTextFile"/>).</summary>
    public static TopicAssociation Load(string lexiconDirectory, IReadOnlySet<string> stopwords)
    {
        var path = Path.Combine(lexiconDirectory, Fluency.FluencyJudge.ModelTextFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{Fluency.FluencyJudge.ModelTextFile} is missing from the lexicon folder (rebuild the demo data with scripts/fetch-data.sh).", path);
        }

        return Build(File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')), stopwords);
    }

    /// <summary>
    /// How well the measure tells topics apart on real text: the on-topic share of real sentences' continuations after
    /// their own openings, and after the opening of another sentence (opening i with continuation i + n/2). A measure
    /// that calls everything on topic shows two equal shares.
    /// </summary>
    public (double Real, double Mismatched) Validity(IReadOnlyList<(string Prompt, string Continuation)> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var n = sentences.Count;
        if (n < 2)
        {
            throw new ArgumentException("Validity needs at least two sentences.", nameof(sentences));
        }

        return (sentences.Average(s => OnTopic(s.Prompt, s.Continuation) ? 1.0 : 0.0),
            sentences.Select((s, i) => OnTopic(s.Prompt, sentences[(i + (n / 2)) % n].Continuation) ? 1.0 : 0.0).Average());
    }

    /// <summary>Counts the content stems of <paramref name="sentences"/> (in text order) in windows of <see cref="WindowSentences"/>.</summary>
    public static TopicAssociation Build(IEnumerable<string> sentences, IReadOnlySet<string> stopwords)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(stopwords);
        var postings = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var count = 0;
        foreach (var window in sentences.Chunk(WindowSentences))
        {
            foreach (var stem in ContentStems(window.SelectMany(WordTokenizer.Words), stopwords))
            {
                if (!postings.TryGetValue(stem, out var list))
                {
                    postings[stem] = list = [];
                }

                list.Add(count);
            }

            count++;
        }

        return new TopicAssociation(postings.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal), count, stopwords);
    }

    /// <summary>The gold's content stems of a text: words of ≥ 3 letters that are not stopwords, stemmed.</summary>
    public static HashSet<string> ContentStems(IEnumerable<string> words, IReadOnlySet<string> stopwords) =>
        words.Where(w => w.Length >= 3 && w.All(char.IsLetter) && !stopwords.Contains(w))
            .Select(WordTokenizer.Stem)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>PMI of two stems over the contexts; null when either is unknown or they share fewer than <see cref="MinCooccurrences"/>.</summary>
    public double? Pmi(string a, string b)
    {
        if (!_contexts.TryGetValue(a, out var ca) || !_contexts.TryGetValue(b, out var cb))
        {
            return null;
        }

        var both = SharedCount(ca, cb);
        return both < MinCooccurrences ? null : Math.Log((double)ContextCount * both / ((double)ca.Length * cb.Length));
    }

    public bool Associated(string a, string b) => a == b || Pmi(a, b) >= MinPmi;

    /// <summary>Some content stem of the continuation is associated with some content stem of the prompt.</summary>
    public bool OnTopic(string prompt, string continuation)
    {
        var promptStems = ContentStems(WordTokenizer.Words(prompt), _stopwords);
        var continuationStems = ContentStems(WordTokenizer.Words(continuation), _stopwords);
        return promptStems.Any(p => continuationStems.Any(c => Associated(p, c)));
    }

    private static int SharedCount(int[] a, int[] b)
    {
        var (i, j, shared) = (0, 0, 0);
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                shared++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return shared;
    }
}

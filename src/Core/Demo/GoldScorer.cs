using Rlhf.Core.Demo.Fluency;

namespace Rlhf.Core.Demo;

/// <summary>
/// The demo's gold preference score: how clear, kind and on-topic a continuation of a prompt is, computed
/// from public lexicons so that gains are measurable. Deterministic. With the continuation normalised by
/// <see cref="TextNormalizer"/>, its words w₁..wₙ from <see cref="WordTokenizer"/>, and N = max(n, MinWords):
/// <code>
/// valence    = Σ_{distinct w} v(w) / N,  v(w) = ½·AFINN(w)/5 + ½·Liu(w), Liu ∈ {−1, 0, +1}
/// sentiment  = SentimentWeight · SentimentCap · tanh(valence / SentimentCap)
/// plainness  = PlainnessWeight · #{i : wᵢ ∈ DaleChall ∪ Stopwords} / N
/// on_topic   = OnTopicWeight · |stems(P) ∩ stems(C)| / |stems(P)|   (0 when the prompt has no content words)
/// harsh      = −HarshWeight · #{i : AFINN(wᵢ) ≤ HarshValence} / N
/// word_salad = −WordSaladWeight · max(0, 1 − (#{i : wᵢ ∈ Stopwords} / n) / MinStopwordShare)   (0 when n = 0)
/// degeneracy = −(RepetitionWeight · repetition + NonWordWeight · nonWordShare + CharRunWeight · charRunShare)
/// total      = sentiment + plainness + on_topic + harsh + word_salad + degeneracy                       (V1)
/// </code>
/// V2 adds the fluency judge and lets the lexicons credit only text that reads as language:
/// <code>
/// F          = <see cref="FluencyJudge"/> score of the continuation after the prompt ∈ [0, 1] (held-out median ≈ 0.5)
/// credit     = min(1, F / FluencyPass)^FluencyCreditPower · (1 − repetition)   repetition as in degeneracy
/// fluency    = FluencyWeight · F
/// complete   = CompletenessWeight · [continuation ends a sentence]              (<see cref="FluencyText.IsComplete"/>)
/// total      = credit · (sentiment + plainness + on_topic + complete) + harsh + word_salad + degeneracy + fluency
/// </code>
/// The components reported for V2 are the credited ones, so they still sum to the total. The credit starts at the held-out
/// median (typical real text earns full credit) and falls with the square of F below it, and repeated text earns it once;
/// the judge gives the words of an unfinished last sentence no positive fluency, so a continuation that never ends a sentence
/// reads worse than almost every real one and keeps little of the lexicon terms (a truncation cost on top of completeness).
/// P and C are the content words (not stopwords, ≥ 3 letters) of the prompt and the continuation;
/// the degeneracy measures are those of <see cref="TextDegeneracy"/>. Sentiment counts each distinct word
/// once, saturates, and repetition is penalised, so repeating one positive word scores far below a plain
/// kind sentence; a bare list of positive words lacks function words and pays the word-salad penalty.
/// AFINN and Liu entries that span several words or contain symbols never match a single word.
/// The V1 terms are a bag of words: salad of stopwords and easy words passes them. V2's fluency judge is an n-gram
/// language model of held-out text, so only word sequences that read like the language score well on it.
/// </summary>
public sealed class GoldScorer
{
    public GoldScorer(Lexicons lexicons, GoldScorerOptions? options = null, FluencyJudge? fluency = null)
    {
        Lexicons = lexicons;
        Options = options ?? new GoldScorerOptions();
        if (Options.MinWords < 1 || Options.SentimentCap <= 0 || Options.MinStopwordShare <= 0 || Options.FluencyPass <= 0 || Options.FluencyCreditPower <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MinWords, SentimentCap, MinStopwordShare, FluencyPass and FluencyCreditPower must be positive.");
        }

        if (Options.Version == GoldVersion.V2 && fluency is null)
        {
            throw new ArgumentException("The V2 gold needs a fluency judge; pass one or choose GoldVersion.V1.", nameof(fluency));
        }

        Fluency = Options.Version == GoldVersion.V2 ? fluency : null;
    }

    public Lexicons Lexicons { get; }

    public GoldScorerOptions Options { get; }

    /// <summary>The V2 fluency judge; null under V1.</summary>
    public FluencyJudge? Fluency { get; }

    /// <summary>
    /// Loads the lexicons from <paramref name="lexiconDirectory"/> (see <see cref="Lexicons"/> for the files) and, for V2,
    /// builds the fluency judge from the same folder's <c>fluency-lm.txt</c> and <c>fluency-heldout.txt</c>.
    /// </summary>
    public static GoldScorer Load(string lexiconDirectory, GoldScorerOptions? options = null)
    {
        options ??= new GoldScorerOptions();
        var lexicons = Lexicons.Load(lexiconDirectory);
        var fluency = options.Version == GoldVersion.V2 ? FluencyJudge.Load(lexiconDirectory, lexicons.Stopwords, options.FluencyOrder, options.MinWords) : null;
        return new(lexicons, options, fluency);
    }

    public GoldScore Score(string prompt, string continuation)
    {
        var text = TextNormalizer.NormalizeInline(continuation);
        var words = WordTokenizer.Words(text);
        var n = (double)Math.Max(words.Count, Options.MinWords);

        var valence = words.Distinct(StringComparer.Ordinal).Sum(Valence) / n;
        var sentiment = Options.SentimentWeight * Options.SentimentCap * Math.Tanh(valence / Options.SentimentCap);
        var plainness = Options.PlainnessWeight * words.Count(IsPlain) / n;
        var onTopic = Options.OnTopicWeight * TopicOverlap(WordTokenizer.Words(prompt), words);
        var harsh = -Options.HarshWeight * words.Count(IsHarsh) / n;
        var stopwordShare = words.Count == 0 ? 1.0 : words.Count(Lexicons.Stopwords.Contains) / (double)words.Count;
        var wordSalad = -Options.WordSaladWeight * Math.Max(0, 1 - (stopwordShare / Options.MinStopwordShare));
        var repetition = TextDegeneracy.WordRepetition(words, Lexicons.Stopwords);
        var degeneracy = -(Options.RepetitionWeight * repetition
            + Options.NonWordWeight * TextDegeneracy.NonWordShare(text)
            + Options.CharRunWeight * TextDegeneracy.CharRunShare(text));

        if (Fluency is null)
        {
            return new GoldScore(sentiment, plainness, onTopic, harsh, wordSalad, degeneracy, words.Count);
        }

        var f = Fluency.Score(prompt, continuation);
        var credit = Math.Pow(Math.Min(1, f / Options.FluencyPass), Options.FluencyCreditPower) * (1 - repetition);
        var complete = FluencyText.IsComplete(continuation) ? Options.CompletenessWeight : 0;
        return new GoldScore(credit * sentiment, credit * plainness, credit * onTopic, harsh, wordSalad, degeneracy, words.Count,
            Options.FluencyWeight * f, credit * complete);
    }

    /// <summary>v(w) = ½·AFINN(w)/5 + ½·Liu(w) ∈ [−1, 1]; 0 for words in neither lexicon.</summary>
    public double Valence(string word)
    {
        var afinn = Lexicons.Afinn.TryGetValue(word, out var valence) ? valence / 5.0 : 0.0;
        var liu = (Lexicons.LiuPositive.Contains(word) ? 1.0 : 0.0) - (Lexicons.LiuNegative.Contains(word) ? 1.0 : 0.0);
        return (0.5 * afinn) + (0.5 * liu);
    }

    private bool IsPlain(string word) => Lexicons.EasyWords.Contains(word) || Lexicons.Stopwords.Contains(word);

    private bool IsHarsh(string word) => Lexicons.Afinn.TryGetValue(word, out var valence) && valence <= Options.HarshValence;

    /// <summary>Share of the prompt's content-word stems that reappear among the continuation's.</summary>
    private double TopicOverlap(IReadOnlyList<string> promptWords, IReadOnlyList<string> continuationWords)
    {
        var promptStems = ContentStems(promptWords);
        if (promptStems.Count == 0)
        {
            return 0;
        }

        var continuationStems = ContentStems(continuationWords);
        return promptStems.Count(continuationStems.Contains) / (double)promptStems.Count;
    }

    private HashSet<string> ContentStems(IEnumerable<string> words) => TopicAssociation.ContentStems(words, Lexicons.Stopwords);
}

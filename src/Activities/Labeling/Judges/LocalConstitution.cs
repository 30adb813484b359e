using System.Text.RegularExpressions;
using Rlhf.Core.Demo;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>One thing a critique names: what is wrong, the words, and where the response text has it (character offset; −1 when it is no place).</summary>
public sealed record Violation(string Kind, string Text, int At);

/// <summary>A principle's score of one response (higher is better) and the violations the critique names.</summary>
public sealed record PrincipleScore(string Principle, double Score, IReadOnlyList<Violation> Violations)
{
    /// <summary>Where the response first goes wrong (the earliest placed violation), or null.</summary>
    public int? FirstAt => Violations.Where(v => v.At >= 0).Select(v => (int?)v.At).Min();
}

/// <summary>
/// The local constitution judge and critic, built from signals the demo's gold score does not use (the gold reads
/// AFINN-111, Liu's opinion words, Dale–Chall easy words, stopwords and a Kneser–Ney fluency model; this reads
/// <see cref="JudgeLexicons"/>: VADER, Pattern, a profanity list and the CMU Pronouncing Dictionary, plus a fixed list of
/// English function words below). Words are <c>[A-Za-z]+('[a-z]+)*</c>, lower-cased; n = max(words, 5).
/// <code>
/// harmless = −#{harsh} / n                   harsh: VADER valence ≤ −2 ("moderately negative" and worse) or a profanity
/// helpful  = topic + sense + ½·plain + ¼·ends − ½·[words &lt; 3]
///   topic  = min(1, #{prompt content words echoed} / min(2, #prompt content words))   echoed: same word or same 5-letter prefix
///   sense  = share of words in CMUdict or function words − share of words that repeat the previous word or an earlier 3-gram
///   plain  = share of words of at most two syllables (CMUdict; vowel groups otherwise)
///   ends   = the response ends a sentence (. ! ?)
/// honest   = −(#{absolute or intensifying words} + #{extreme words: |VADER| ≥ 2.5}) / n − ½·mean Pattern subjectivity of its adjectives
/// kind     = tanh(2 · Σ_distinct VADER(w) / (4n))
/// </code>
/// Each principle also names its violations: the harsh words; "off-topic" with the prompt's words when none comes back;
/// where the text stops making sense (the first non-dictionary word, the first repetition); a sentence left unfinished;
/// the exaggerated words; the cold words. Thresholds were set from the lexicons' own scales, not fitted to the gold.
/// </summary>
public sealed partial class LocalConstitution(JudgeLexicons lexicons)
{
    public const double HarshValence = -2.0;
    public const double ExtremeValence = 2.5;
    private const int MinWords = 5;

    /// <summary>Closed-class English words (articles, pronouns, prepositions, conjunctions, auxiliaries): never content, always "words".</summary>
    public static readonly IReadOnlySet<string> FunctionWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "the", "this", "that", "these", "those", "i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his",
        "she", "her", "it", "its", "they", "them", "their", "who", "whom", "whose", "which", "what", "there", "here", "of", "in",
        "on", "at", "by", "for", "with", "from", "to", "into", "upon", "over", "under", "about", "after", "before", "as", "than",
        "and", "or", "but", "nor", "so", "yet", "if", "then", "when", "while", "because", "though", "not", "no", "is", "are",
        "was", "were", "be", "been", "being", "am", "have", "has", "had", "do", "does", "did", "will", "would", "shall", "should",
        "can", "could", "may", "might", "must", "all", "some", "any", "each", "every", "such", "own", "other", "one", "thee",
        "thou", "thy", "ye", "o", "up", "out", "down", "off", "through", "between", "against", "without", "within", "now",
    };

    /// <summary>Absolutes and intensifiers: claims stated beyond measure.</summary>
    public static readonly IReadOnlySet<string> Absolutes = new HashSet<string>(StringComparer.Ordinal)
    {
        "always", "never", "everyone", "everybody", "everything", "nobody", "nothing", "totally", "absolutely", "completely",
        "utterly", "entirely", "extremely", "certainly", "undoubtedly", "forever", "infinitely", "perfectly", "surely",
    };

    public JudgeLexicons Lexicons { get; } = lexicons;

    public static LocalConstitution Load(string lexiconDirectory) => new(JudgeLexicons.Load(lexiconDirectory));

    /// <summary>The principle's score of <paramref name="response"/> as a continuation of <paramref name="prompt"/>, with its violations.</summary>
    public PrincipleScore Score(string principle, string prompt, string response)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        var words = Tokens(response);
        var n = (double)Math.Max(words.Count, MinWords);
        return principle switch
        {
            "harmless" => Harmless(words, n),
            "helpful" => Helpful(prompt, response, words),
            "honest" => Honest(words, n),
            "kind" => Kind(words, n),
            _ => throw new ArgumentOutOfRangeException(nameof(principle), principle, $"Unknown principle; known: {string.Join(", ", Constitution.Descriptions.Keys)}."),
        };
    }

    /// <summary>One line per violation, the way a critique reads: <c>harsh word 'kill' at 12</c>.</summary>
    public static string Describe(PrincipleScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return score.Violations.Count == 0
            ? $"No violation of '{score.Principle}' found."
            : string.Join("; ", score.Violations.Select(v => v.At >= 0 ? $"{v.Kind} '{v.Text}' at {v.At}" : $"{v.Kind}: {v.Text}"));
    }

    public bool IsHarsh(string word) => (Lexicons.Vader.TryGetValue(word, out var v) && v <= HarshValence) || Lexicons.Profanity.Contains(word);

    private PrincipleScore Harmless(List<Token> words, double n)
    {
        var harsh = words.Where(w => IsHarsh(w.Word)).Select(w => new Violation("harsh word", w.Word, w.At)).ToList();
        return new("harmless", -harsh.Count / n, harsh);
    }

    private PrincipleScore Helpful(string prompt, string response, List<Token> words)
    {
        var violations = new List<Violation>();
        var promptContent = Tokens(prompt).Select(t => t.Word).Where(IsContent).Distinct(StringComparer.Ordinal).ToList();
        var responseContent = words.Select(t => t.Word).Where(IsContent).ToList();
        var echoed = promptContent.Count(p => responseContent.Any(r => Related(p, r)));
        var topic = promptContent.Count == 0 ? 1.0 : Math.Min(1.0, echoed / (double)Math.Min(2, promptContent.Count));
        if (promptContent.Count > 0 && echoed == 0)
        {
            violations.Add(new Violation("off-topic", $"none of the prompt's words ({string.Join(", ", promptContent)}) comes back", -1));
        }

        var known = words.Count(w => IsKnown(w.Word));
        var firstUnknown = words.FirstOrDefault(w => !IsKnown(w.Word));
        if (firstUnknown is not null)
        {
            violations.Add(new Violation("stops making sense at a non-word", firstUnknown.Word, firstUnknown.At));
        }

        var repeats = Repeats(words);
        if (repeats.Count > 0)
        {
            violations.Add(new Violation("stops making sense at a repetition", repeats[0].Word, repeats[0].At));
        }

        var ends = SentenceEnd().IsMatch(response);
        if (words.Count > 0 && !ends)
        {
            violations.Add(new Violation("unfinished sentence", response.TrimEnd(), -1));
        }

        if (words.Count < 3)
        {
            violations.Add(new Violation("too short", $"{words.Count} word(s)", -1));
        }

        var count = Math.Max(words.Count, 1);
        var sense = (known - repeats.Count) / (double)count;
        var plain = words.Count(w => SyllablesOf(w.Word) <= 2) / (double)count;
        var score = topic + sense + (0.5 * plain) + (ends ? 0.25 : 0) - (words.Count < 3 ? 0.5 : 0);
        return new("helpful", words.Count == 0 ? -0.5 : score, violations);
    }

    private PrincipleScore Honest(List<Token> words, double n)
    {
        var violations = words
            .Where(w => Absolutes.Contains(w.Word) || (Lexicons.Pattern.TryGetValue(w.Word, out var p) && p.Intensity > 1))
            .Select(w => new Violation("exaggeration", w.Word, w.At))
            .Concat(words.Where(w => Lexicons.Vader.TryGetValue(w.Word, out var v) && Math.Abs(v) >= ExtremeValence).Select(w => new Violation("extreme word", w.Word, w.At)))
            .OrderBy(v => v.At)
            .ToList();
        var adjectives = words.Where(w => Lexicons.Pattern.ContainsKey(w.Word)).Select(w => Lexicons.Pattern[w.Word].Subjectivity).ToList();
        var subjectivity = adjectives.Count == 0 ? 0 : adjectives.Average();
        return new("honest", (-violations.Count / n) - (0.5 * subjectivity), violations);
    }

    private PrincipleScore Kind(List<Token> words, double n)
    {
        var valence = words.Select(w => w.Word).Distinct(StringComparer.Ordinal).Sum(w => Lexicons.Vader.GetValueOrDefault(w));
        var cold = words.Where(w => Lexicons.Vader.TryGetValue(w.Word, out var v) && v < 0).Select(w => new Violation("cold word", w.Word, w.At)).ToList();
        return new("kind", Math.Tanh(2 * valence / (4 * n)), cold);
    }

    private bool IsContent(string word) => word.Length >= 3 && !FunctionWords.Contains(word);

    private bool IsKnown(string word) => FunctionWords.Contains(word) || Lexicons.Syllables.ContainsKey(word);

    private static bool Related(string a, string b) =>
        a == b || (a.Length >= 5 && b.Length >= 5 && a.AsSpan(0, 5).SequenceEqual(b.AsSpan(0, 5)));

    /// <summary>Syllables from CMUdict; otherwise the number of vowel groups (at least one).</summary>
    public int SyllablesOf(string word) =>
        Lexicons.Syllables.TryGetValue(word, out var s) ? s : Math.Max(1, VowelGroup().Count(word));

    /// <summary>Words that repeat the word before them, or complete a 3-gram seen earlier.</summary>
    private static List<Token> Repeats(List<Token> words)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var repeats = new List<Token>();
        for (var i = 1; i < words.Count; i++)
        {
            var trigram = i >= 2 ? $"{words[i - 2].Word} {words[i - 1].Word} {words[i].Word}" : null;
            if (words[i].Word == words[i - 1].Word || (trigram is not null && !seen.Add(trigram)))
            {
                repeats.Add(words[i]);
            }
        }

        return repeats;
    }

    private sealed record Token(string Word, int At);

    private static List<Token> Tokens(string text) => [.. WordPattern().Matches(text).Select(m => new Token(m.Value.ToLowerInvariant(), m.Index))];

    [GeneratedRegex("[A-Za-z]+(?:'[A-Za-z]+)*")]
    private static partial Regex WordPattern();

    [GeneratedRegex("[aeiouy]+")]
    private static partial Regex VowelGroup();

    [GeneratedRegex(@"[.!?]['"")]*\s*$")]
    private static partial Regex SentenceEnd();
}

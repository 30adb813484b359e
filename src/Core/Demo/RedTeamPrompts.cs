using System.Security.Cryptography;
using System.Text;

namespace Rlhf.Core.Demo;

/// <summary>
/// The demo's red-team prompts: openings that invite a harsh answer. For every sentence of the corpus that
/// <see cref="PromptBuilder.Opening"/> accepts (10–40 words, plain ASCII, …), find its first harsh word (AFINN-111
/// valence ≤ <see cref="HarshValence"/>, the words the gold score penalises); when at least <see cref="MinWords"/> and at
/// most <see cref="MaxWords"/> words come before it, the prompt is those words: the corpus itself continued it with the
/// harsh word ("The whale rushed round in a …" → "fury"), so a policy trained on the corpus is drawn to do the same.
/// First sentence with a given opening wins. Ids are <c>r</c> + 12 hex digits of SHA-256(prompt); the train/held-out split
/// is <see cref="PromptBuilder.IsHeldout"/>'s hash, so it is stable whatever else the corpus holds.
/// </summary>
public static class RedTeamPrompts
{
    public const int HarshValence = -3;
    public const int MinWords = 3;
    public const int MaxWords = 12;

    public static IReadOnlyList<DemoReference> Candidates(IEnumerable<string> paragraphs, Lexicons lexicons, PromptBuilderOptions options)
    {
        ArgumentNullException.ThrowIfNull(lexicons);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<DemoReference>();
        foreach (var sentence in paragraphs.SelectMany(SentenceSplitter.Split))
        {
            if (PromptBuilder.Opening(sentence, options) is null)
            {
                continue;
            }

            var tokens = sentence.Split(' ');
            var harsh = Array.FindIndex(tokens, t => WordTokenizer.Words(t).Any(w => lexicons.Afinn.TryGetValue(w, out var v) && v <= HarshValence));
            if (harsh is < MinWords or > MaxWords)
            {
                continue;
            }

            var prompt = string.Join(' ', tokens.Take(harsh));
            if (seen.Add(prompt))
            {
                candidates.Add(new DemoReference(IdFor(prompt), prompt, sentence[prompt.Length..]));
            }
        }

        return candidates;
    }

    /// <summary><c>r</c> + the first 12 hex digits of SHA-256 of the prompt.</summary>
    public static string IdFor(string prompt) => "r" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..12];
}

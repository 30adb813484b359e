using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Rlhf.Core.Demo;

/// <summary>
/// Builds prompts from corpus paragraphs: every eligible sentence (starts with a capital letter, ends with
/// <c>.</c>, <c>!</c> or <c>?</c>, plain ASCII without double quotes, between MinSentenceWords and
/// MaxSentenceWords words) gives one prompt, its first 3–6 words, and one reference, the rest of the
/// sentence. The first sentence with a given opening wins, so prompts are distinct. Ids and the
/// train/held-out split are hashes of the prompt text: the same prompt always gets the same id and
/// lands in the same split, whatever else is in the corpus.
/// </summary>
public static partial class PromptBuilder
{
    public static IReadOnlyList<DemoReference> Candidates(IEnumerable<string> paragraphs, PromptBuilderOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<DemoReference>();
        foreach (var sentence in paragraphs.SelectMany(SentenceSplitter.Split))
        {
            var prompt = Opening(sentence, options);
            if (prompt is not null && seen.Add(prompt))
            {
                candidates.Add(new DemoReference(IdFor(prompt), prompt, sentence[prompt.Length..]));
            }
        }

        return candidates;
    }

    /// <summary>Splits candidates by <see cref="IsHeldout"/>, keeping their order.</summary>
    public static PromptSplit Split(IReadOnlyList<DemoReference> candidates, PromptBuilderOptions options) =>
        new(candidates.Where(c => !IsHeldout(c.Prompt, options.HeldoutPercent)).ToList(),
            candidates.Where(c => IsHeldout(c.Prompt, options.HeldoutPercent)).ToList());

    /// <summary>True for the prompts whose hash bucket (0–99) is below <paramref name="heldoutPercent"/>.</summary>
    public static bool IsHeldout(string prompt, int heldoutPercent) => Hash("split/" + prompt) % 100 < (uint)heldoutPercent;

    /// <summary><c>p</c> + the first 12 hex digits of SHA-256 of the prompt.</summary>
    public static string IdFor(string prompt) =>
        "p" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..12];

    /// <summary>The prompt for an eligible sentence (its first k words, k chosen by hash), or null.</summary>
    public static string? Opening(string sentence, PromptBuilderOptions options)
    {
        var words = sentence.Split(' ');
        if (words.Length < options.MinSentenceWords || words.Length > options.MaxSentenceWords
            || !char.IsUpper(sentence[0]) || !EligibleSentence().IsMatch(sentence))
        {
            return null;
        }

        var span = options.MaxPromptWords - options.MinPromptWords + 1;
        var k = options.MinPromptWords + (int)(Hash("length/" + sentence) % (uint)span);
        return string.Join(' ', words.Take(k));
    }

    private static uint Hash(string text) => BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex(@"^[A-Za-z0-9 ,;:'()$%&\-]+[.!?]'?\)?$")]
    private static partial Regex EligibleSentence();
}

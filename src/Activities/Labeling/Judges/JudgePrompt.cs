using System.Text.RegularExpressions;
using OpenAI.Chat;
using Rlhf.Core.Labeling;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// The remote judge's conversation: a system message with the constitution, a user message with the prompt and
/// responses A and B, asking for step-by-step reasoning per principle and then a final line
/// <c>Verdict: A</c>, <c>Verdict: B</c> or <c>Verdict: tie</c>.
/// </summary>
public static partial class JudgePrompt
{
    public static IReadOnlyList<ChatMessage> Messages(string constitution, string prompt, string responseA, string responseB) =>
    [
        new SystemChatMessage(
            "You compare two continuations of the same text against a constitution and say which one better follows it.\n\n"
            + "Constitution (principles and their weights):\n" + constitution),
        new UserChatMessage(
            $"Text to continue:\n<<<{prompt}>>>\n\nResponse A:\n<<<{responseA}>>>\n\nResponse B:\n<<<{responseB}>>>\n\n"
            + "Think step by step: judge both responses on each principle, weigh them, then decide. "
            + "Do not prefer a response for its position or its length. "
            + "End with one final line, exactly one of: \"Verdict: A\", \"Verdict: B\", \"Verdict: tie\"."),
    ];

    /// <summary>The verdict of the last <c>Verdict:</c> line, by position (A = <see cref="PairVerdict.First"/>); null when there is none.</summary>
    public static PairVerdict? ParseVerdict(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var matches = VerdictLine().Matches(reply);
        if (matches.Count == 0)
        {
            return null;
        }

        return matches[^1].Groups[1].Value.ToUpperInvariant() switch
        {
            "A" => PairVerdict.First,
            "B" => PairVerdict.Second,
            _ => PairVerdict.Tie,
        };
    }

    [GeneratedRegex(@"^[\s*#>_`]*verdict\s*[:\-]\s*[*_`]*\s*(A|B|tie)\b[\s*_`.]*$", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex VerdictLine();
}

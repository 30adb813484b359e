using System.Text.RegularExpressions;
using OpenAI.Chat;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// The chat critic's conversation, after the Constitutional AI paper (Bai et al. 2022, §3): a critique request naming one
/// principle, then a revision request, each preceded by worked examples (few-shot) and asking for step-by-step reasoning.
/// The critique ends with <c>Needs revision: yes|no</c>; the revision with a final line <c>Revision: …</c>. The
/// continuation task is the demo's: a response continues a text, so "the response" is that continuation.
/// </summary>
public static partial class CaiChatPrompt
{
    private static readonly (string Principle, string Prompt, string Response, string Critique, string Revision)[] Examples =
    [
        ("harmless", "The old sailor looked at the", " stupid cabin boy and swore he would beat him to death.",
            "The principle asks for no harsh, violent, cruel or abusive words. \"stupid\" is an insult, and \"beat him to death\" is a threat of violence. The rest (the old sailor looking at the cabin boy) is fine.\nNeeds revision: yes",
            "Keep the scene (the sailor, the boy) and drop the insult and the threat.\nRevision:  young cabin boy and smiled, remembering his own first voyage."),
        ("helpful", "The President asked Congress to", " the the of whale whale and and.",
            "The principle asks for a continuation on the prompt's topic, in plain words, as coherent prose. This one repeats \"the\", \"whale\" and \"and\", is not a sentence, and leaves the President's request unsaid.\nNeeds revision: yes",
            "Say what the President asked for, in one plain sentence.\nRevision:  pass a budget that keeps the nation's promises to its workers."),
    ];

    /// <summary>The critique request for one response, after the few-shot examples.</summary>
    public static List<ChatMessage> Critique(string principle, string description, string prompt, string response)
    {
        var messages = new List<ChatMessage> { new SystemChatMessage(System) };
        foreach (var e in Examples)
        {
            messages.Add(new UserChatMessage(CritiqueRequest(e.Principle, Constitution.Descriptions[e.Principle], e.Prompt, e.Response)));
            messages.Add(new AssistantChatMessage(e.Critique));
            messages.Add(new UserChatMessage(RevisionRequest(e.Principle)));
            messages.Add(new AssistantChatMessage(e.Revision));
        }

        messages.Add(new UserChatMessage(CritiqueRequest(principle, description, prompt, response)));
        return messages;
    }

    /// <summary>The revision request, continuing the critique's conversation.</summary>
    public static List<ChatMessage> Revision(List<ChatMessage> critique, string critiqueReply, string principle) =>
        [.. critique, new AssistantChatMessage(critiqueReply), new UserChatMessage(RevisionRequest(principle))];

    /// <summary>False only for an explicit <c>Needs revision: no</c>; a critique without the line is revised.</summary>
    public static bool NeedsRevision(string reply) => NeedsLine().Matches(reply) is { Count: > 0 } m ? !m[^1].Groups[1].Value.Equals("no", StringComparison.OrdinalIgnoreCase) : true;

    /// <summary>The text after the last <c>Revision:</c> line's colon (one leading space is part of a continuation), or null.</summary>
    public static string? ParseRevision(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var matches = RevisionLine().Matches(reply);
        return matches.Count == 0 ? null : matches[^1].Groups[1].Value.TrimEnd();
    }

    private const string System =
        "You review continuations of texts against a constitution. For each, you first critique the continuation against one "
        + "principle, reasoning step by step and quoting the words at fault, then rewrite it to follow that principle while "
        + "keeping what was fine. A continuation picks up exactly where the text stops.";

    private static string CritiqueRequest(string principle, string description, string prompt, string response) =>
        $"Text to continue:\n<<<{prompt}>>>\n\nContinuation:\n<<<{response}>>>\n\n"
        + $"CritiqueRequest: Identify specific ways in which the continuation fails the principle '{principle}': {description} "
        + "Think step by step. End with one line: \"Needs revision: yes\" or \"Needs revision: no\".";

    private static string RevisionRequest(string principle) =>
        $"RevisionRequest: Rewrite the continuation so that it follows the principle '{principle}', keeping what was fine. "
        + "Think step by step, then end with one final line \"Revision: \" followed by the whole rewritten continuation.";

    [GeneratedRegex(@"^[\s*#>_`]*needs revision\s*:\s*[*_`]*\s*(yes|no)\b", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex NeedsLine();

    [GeneratedRegex(@"^[\s*#>_`]*revision\s*:[ \t]?(.*)$", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex RevisionLine();
}

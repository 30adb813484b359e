namespace Rlhf.Activities.Labeling.Judges;

/// <summary>The chat critic answered a revision request without a readable final <c>Revision:</c> line.</summary>
public sealed class CriticResponseException(string promptId, int round, string reply)
    : Exception($"The critic's revision of prompt '{promptId}' (SL-CAI round {round}) has no final 'Revision: ...' line. Reply ends: \"{(reply.Length <= 200 ? reply : "..." + reply[^200..])}\"")
{
    public string PromptId { get; } = promptId;
}

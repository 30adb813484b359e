namespace Rlhf.Activities.Labeling.Judges;

/// <summary>A remote judge answered, but with no readable <c>Verdict: A|B|tie</c> line in any order asked.</summary>
public sealed class JudgeResponseException(string comparisonId, string reply)
    : Exception($"The judge's reply for comparison '{comparisonId}' has no final 'Verdict: A|B|tie' line (in either order). Reply ends: \"{Tail(reply)}\"")
{
    public string ComparisonId { get; } = comparisonId;

    private static string Tail(string reply) => reply.Length <= 200 ? reply : "..." + reply[^200..];
}

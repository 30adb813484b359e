namespace Rlhf.Orchestrations;

/// <summary>A trainer job that failed on every allowed attempt; the message lists each attempt's failure.</summary>
public sealed class JobFailedException(string jobId, string verb, IReadOnlyList<string> failures)
    : Exception($"Job '{jobId}' ({verb}) failed after {failures.Count} attempt(s): {string.Join(" | ", failures)}")
{
    public string JobId { get; } = jobId;

    public IReadOnlyList<string> Failures { get; } = failures;
}

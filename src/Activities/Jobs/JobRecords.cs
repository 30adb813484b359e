namespace Rlhf.Activities.Jobs;

/// <summary><c>jobs/{jobId}/attempt-{n}.json</c>, written once when an attempt is submitted.</summary>
public sealed record JobAttemptRecord(string JobId, int Attempt, string Host, DateTimeOffset SubmittedUtc);

/// <summary><c>jobs/{jobId}/process.json</c>, overwritten when an attempt's process starts and when it exits.</summary>
public sealed record JobProcessRecord(string JobId, int Attempt, string Host, int ProcessId, DateTimeOffset StartedUtc)
{
    public int? ExitCode { get; init; }
}

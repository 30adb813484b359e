using Rlhf.Core.Runs;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// <c>jobs/{jobId}/attempt-{n}.json</c>, written once when an attempt is submitted. <see cref="Host"/> names the worker that
/// submitted it (<see cref="WorkerHost.Name"/>; a machine name in records written before workers had names). The local
/// runner adds the worker's <see cref="Worker"/> identity, so another worker in the same pid scope can tell whether the
/// submitter still lives while the attempt waits for a slot there; the Azure ML runner adds the job it submitted
/// (<see cref="AzureMlJob"/>), so status and cancel find it from any worker.
/// </summary>
public sealed record JobAttemptRecord(string JobId, int Attempt, string Host, DateTimeOffset SubmittedUtc)
{
    /// <summary>The runner that submitted the attempt (local in records written before runner kinds existed).</summary>
    public JobRunnerKind Runner { get; init; } = JobRunnerKind.Local;

    /// <summary>The submitting worker (local runner); null in older records.</summary>
    public WorkerRef? Worker { get; init; }

    /// <summary>ARM resource id of the Azure ML command job of this attempt (azureml runner).</summary>
    public string? AzureMlJob { get; init; }
}

/// <summary>
/// <c>jobs/{jobId}/process.json</c>, overwritten when an attempt's process starts and when it exits. <see cref="Host"/> names
/// the worker that started it; <see cref="Worker"/> (null in records written before it existed: then the process counts as
/// visible only on the machine named by <see cref="Host"/>) says in which pid scope <see cref="ProcessId"/> means anything.
/// </summary>
public sealed record JobProcessRecord(string JobId, int Attempt, string Host, int ProcessId, DateTimeOffset StartedUtc)
{
    public int? ExitCode { get; init; }

    public WorkerRef? Worker { get; init; }
}

/// <summary>A worker process as records refer to it: its pid scope (<see cref="WorkerHost.PidScope"/>), pid and start time.</summary>
public sealed record WorkerRef(string PidScope, int ProcessId, DateTimeOffset StartedUtc)
{
    public static WorkerRef Of(WorkerHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new WorkerRef(host.PidScope, host.ProcessId, host.StartedUtc);
    }
}

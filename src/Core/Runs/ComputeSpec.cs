using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Rlhf.Core.Runs;

public enum JobRunnerKind
{
    /// <summary>The trainer as a child process of the host.</summary>
    Local,

    /// <summary>An Azure ML command job.</summary>
    [JsonStringEnumMemberName("azureml")]
    AzureMl,
}

public sealed record ComputeSpec
{
    /// <summary>local | azureml: where every trainer job of the run runs (recorded in each job spec and handle).</summary>
    public JobRunnerKind Runner { get; init; } = JobRunnerKind.Local;

    /// <summary>Where Azure ML runs the jobs when <see cref="Runner"/> is azureml (defaults from the host); refused with the local runner.</summary>
    [JsonPropertyName("azureml")]
    public AzureMlSpec? AzureMl { get; init; }

    /// <summary>Torch device of the trainer jobs: cpu, cuda, cuda:N.</summary>
    [TorchDevice]
    public string Device { get; init; } = "cpu";

    /// <summary>Torch intra-op threads per job (0 = libtorch default).</summary>
    [Range(0, 256)]
    public int Threads { get; init; } = 2;

    /// <summary>
    /// Budget of the job's own failures: the job (and the run) fails when this many of its attempts failed on their own
    /// (a non-zero exit, or no result within <see cref="JobTimeoutMinutes"/>); until then a failed attempt is resubmitted
    /// and resumes from its checkpoint. Lost attempts do not count here (<see cref="MaxLostAttempts"/>).
    /// </summary>
    [Range(1, 20)]
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// Budget of lost attempts: the job fails when this many of its attempts were lost (gone without an exit code or a
    /// manifest: its host or node died, a preempted node); until then each is resubmitted from the job's checkpoint.
    /// </summary>
    [Range(1, 100)]
    public int MaxLostAttempts { get; init; } = 10;

    /// <summary>Seconds between status polls of a running job.</summary>
    [Range(1, 3600)]
    public int PollIntervalSeconds { get; init; } = 5;

    /// <summary>An attempt still not finished after this long is given up (and resubmitted while attempts remain).</summary>
    [Range(1, 60 * 24 * 7)]
    public int JobTimeoutMinutes { get; init; } = 120;

    /// <summary>Write a resumable checkpoint every N optimiser steps.</summary>
    [Range(0, 1_000_000)]
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>
    /// The <c>compute.azureml</c> section each trainer job carries: null with the local runner; with azureml the section with
    /// its timeout defaulted to <see cref="JobTimeoutMinutes"/>.
    /// </summary>
    public AzureMlSpec? AzureMlForJobs() => Runner switch
    {
        JobRunnerKind.Local => null,
        JobRunnerKind.AzureMl => (AzureMl ?? new AzureMlSpec()) with
        {
            Timeout = AzureMl?.Timeout ?? AzureMlNames.FormatTimeout(TimeSpan.FromMinutes(JobTimeoutMinutes)),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(Runner), Runner, "Unknown job runner kind."),
    };
}

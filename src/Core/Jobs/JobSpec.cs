using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Jobs;

/// <summary>The verbs of the trainer job (one executable, one verb per job).</summary>
public static class JobVerbs
{
    public const string Sft = "sft";
    public const string Sample = "sample";
    public const string Reward = "reward";
    public const string Ppo = "ppo";
    public const string Dpo = "dpo";
    public const string Grpo = "grpo";
    public const string Rloo = "rloo";
    public const string Evaluate = "evaluate";

    public static IReadOnlyList<string> All { get; } = [Sft, Sample, Reward, Ppo, Dpo, Grpo, Rloo, Evaluate];
}

/// <summary>
/// What one trainer job does: the document a job runner hands to `rlhf-trainer`, as a file or a blob.
/// Inputs and outputs are artifact paths inside <see cref="Store"/>; hyper-parameters are in
/// <see cref="Params"/> and are validated by the trainer's typed config for the verb.
/// </summary>
public sealed record JobSpec
{
    /// <summary>One of <see cref="JobVerbs"/>.</summary>
    public required string Verb { get; init; }

    /// <summary>Unique id of the job; a resubmitted job keeps its id and resumes from its checkpoints.</summary>
    public required string JobId { get; init; }

    /// <summary>Artifact store location: a folder path or a blob container URI.</summary>
    public required string Store { get; init; }

    /// <summary>Output prefix inside the store, e.g. <c>runs/{runId}/ppo</c>.</summary>
    public required string Output { get; init; }

    /// <summary>Named input artifacts (e.g. <c>policy</c>, <c>prompts</c>, <c>preferences</c>) → path (or prefix for a model folder) in the store.</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Verb-specific hyper-parameters; unknown keys are rejected by the trainer.</summary>
    public JsonObject Params { get; init; } = [];

    public int Seed { get; init; } = 1;

    /// <summary>Torch device: <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Torch intra-op threads (0 = leave libtorch's default).</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Write a resumable checkpoint every N optimiser steps (0 = only at the end).</summary>
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>Print a progress line and write the heartbeat every N steps.</summary>
    public int ProgressEvery { get; init; } = 10;

    /// <summary>
    /// Which runner runs the job (<c>compute.runner</c>). Not written when local, so the spec of a local job reads and
    /// writes the same bytes as before runner kinds existed (its <c>spec.json</c> is write-once), and an old spec is local.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public JobRunnerKind Runner { get; init; } = JobRunnerKind.Local;

    /// <summary>Where Azure ML runs the job (<c>compute.azureml</c>, its timeout defaulted); null with the local runner.</summary>
    [JsonPropertyName("azureml")]
    public AzureMlSpec? AzureMl { get; init; }
}

public enum JobState
{
    Pending,
    Running,
    Succeeded,

    /// <summary>The job itself failed: a non-zero exit code (or its heartbeat says Failed). Counts against <c>compute.maxAttempts</c>.</summary>
    Failed,

    /// <summary>
    /// The job is gone without an exit code or a manifest: its host or node died (machine crash, preempted node,
    /// Azure ML NotResponding). Not the job's fault: resubmitted under <c>compute.maxLostAttempts</c>.
    /// </summary>
    Lost,
}

/// <summary>
/// The heartbeat document a job keeps at <c>{Output}/status.json</c>. Job runners read it (not the
/// process) so a run survives a restart of whatever launched the job.
/// </summary>
public sealed record JobStatus
{
    public required string JobId { get; init; }
    public required string Verb { get; init; }
    public required JobState State { get; init; }
    public int Attempt { get; init; }
    public long Step { get; init; }
    public long TotalSteps { get; init; }
    public DateTimeOffset UpdatedUtc { get; init; }
    public string? Message { get; init; }
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    public int? ProcessId { get; init; }

    /// <summary>The status blob path for a job writing under <paramref name="output"/>.</summary>
    public static string PathFor(string output) => $"{output.TrimEnd('/')}/status.json";
}

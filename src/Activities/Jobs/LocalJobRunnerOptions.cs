namespace Rlhf.Activities.Jobs;

/// <summary>Options of <see cref="LocalJobRunner"/> (section <c>Rlhf:LocalJobRunner</c>).</summary>
public sealed class LocalJobRunnerOptions
{
    /// <summary>The trainer: <c>rlhf-trainer.dll</c> (run with <see cref="Launcher"/>) or an executable/script. Default: next to the host assembly.</summary>
    public string TrainerPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "rlhf-trainer.dll");

    /// <summary>Program that runs <see cref="TrainerPath"/> (<c>dotnet</c>, <c>bash</c>); null runs it directly.</summary>
    public string? Launcher { get; set; } = "dotnet";

    /// <summary>Jobs running at once on this machine; further submissions wait (reported Pending).</summary>
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>
    /// Extra environment of every job (e.g. <c>RLHF_STORAGE_CONNECTION_STRING</c>). By default
    /// <c>OMP_WAIT_POLICY=PASSIVE</c>: libtorch's OpenMP threads otherwise spin while they wait, which
    /// made a training step 5–20× slower on a busy 2-core machine (bench/TrainerPerf, docs/performance.md).
    /// It must be set before the process starts, so the runner sets it, not the trainer.
    /// </summary>
    public IDictionary<string, string> EnvironmentVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["OMP_WAIT_POLICY"] = "PASSIVE",
    };

    /// <summary>
    /// Local folder of the job logs (<c>{jobId}/attempt-{n}.log</c>, written by the trainer itself), uploaded to
    /// <c>jobs/{jobId}/attempt-{n}.log</c> by the host that sees the attempt end. Keep it across host restarts.
    /// </summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "rlhf-jobs");

    /// <summary>
    /// How long a job whose process record names another machine (a worker this host cannot see the processes of) counts
    /// as running without a new heartbeat (or, before its first heartbeat, since it started); after that it is Lost.
    /// Keep it well above the time between heartbeats (every <c>progressEvery</c> steps).
    /// </summary>
    public TimeSpan ForeignJobStaleAfter { get; set; } = ArtifactJobStatus.DefaultStaleAfter;
}

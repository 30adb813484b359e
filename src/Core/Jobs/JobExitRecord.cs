namespace Rlhf.Core.Jobs;

/// <summary>
/// <c>{output}/exit.json</c>, next to the heartbeat: how one attempt of a job ended, written once it ended by the trainer
/// itself (exit codes 0 and 1) or by the runner that saw the process exit (any code). A host that did not start the
/// process (a restarted host, another worker, a remote runner) learns the exit code from it. <see cref="Attempt"/> is the
/// runner's attempt number (<see cref="AttemptVariable"/>; 0 when the trainer was started by hand).
/// </summary>
public sealed record JobExitRecord
{
    /// <summary>Environment variable through which a runner tells the trainer which attempt it runs.</summary>
    public const string AttemptVariable = "RLHF_JOB_ATTEMPT";

    public required string JobId { get; init; }
    public required int Attempt { get; init; }
    public required int ExitCode { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset FinishedUtc { get; init; }

    /// <summary>The exit record path for a job writing under <paramref name="output"/>.</summary>
    public static string PathFor(string output) => $"{output.TrimEnd('/')}/exit.json";

    /// <summary>The runner's attempt from <see cref="AttemptVariable"/>, or 0 when it is absent or not a number.</summary>
    public static int RunnerAttempt() =>
        int.TryParse(Environment.GetEnvironmentVariable(AttemptVariable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt) ? attempt : 0;
}

using Microsoft.DurableTask;

namespace Rlhf.Orchestrations;

/// <summary>
/// Every retry policy of the workflow, as data, in one place. Transient activity failures (storage
/// hiccups, a busy runner) are retried with exponential backoff; validation and write-once conflicts
/// are permanent and fail at once. Trainer jobs are not retried here: <see cref="RunTrainingJob"/>
/// resubmits them itself so they resume from their checkpoints.
/// </summary>
public static class RetryPolicies
{
    /// <summary>Exception types that retrying cannot fix (checked by full name through inner failures).</summary>
    public static IReadOnlySet<string> Permanent { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "System.ArgumentException",
        "System.ArgumentNullException",
        "System.ArgumentOutOfRangeException",
        "System.FormatException",
        "System.NotSupportedException",
        "System.Text.Json.JsonException",
        "System.UnauthorizedAccessException",
        "Rlhf.Core.Runs.RunSpecException",
        "Rlhf.Core.Artifacts.ArtifactConflictException",
        "Rlhf.Core.Artifacts.ArtifactNotFoundException",
    };

    /// <summary>Activities that touch storage or a job runner: 4 attempts, 2 s → 4 s → 8 s.</summary>
    public static TaskOptions Activity { get; } = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2.0, maxRetryInterval: TimeSpan.FromSeconds(30))
        {
            HandleFailure = IsTransient,
        });

    /// <summary>Labeling (judges may call remote models): 5 attempts, 5 s → 80 s.</summary>
    public static TaskOptions Labeling { get; } = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(5), backoffCoefficient: 2.0, maxRetryInterval: TimeSpan.FromMinutes(2))
        {
            HandleFailure = IsTransient,
        });

    /// <summary>True unless the failure (or one of its causes) is a <see cref="Permanent"/> type.</summary>
    public static bool IsTransient(TaskFailureDetails failure)
    {
        for (var f = failure; f is not null; f = f.InnerFailure)
        {
            if (Permanent.Contains(f.ErrorType))
            {
                return false;
            }
        }

        return true;
    }
}

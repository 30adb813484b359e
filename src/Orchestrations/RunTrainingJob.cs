using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;

namespace Rlhf.Orchestrations;

/// <summary>
/// Monitor pattern for one trainer job: submit, wait for the job's exit signal (<see cref="TaskNames.JobExitedEvent"/>)
/// or a poll interval, poll the runner; a failed, timed-out or lost attempt is resubmitted under the same job id (the
/// trainer resumes from its newest checkpoint). Two budgets: <see cref="JobPolicy.MaxAttempts"/> counts the job's own
/// failures (a non-zero exit, a timeout), <see cref="JobPolicy.MaxLostAttempts"/> the attempts lost with their host or
/// node (<see cref="JobState.Lost"/>); when either is spent the orchestration fails with <see cref="JobFailedException"/>.
/// After <see cref="JobPolicy.PollsPerGeneration"/> polls it continues as new, carrying attempt, handle
/// and failures, so history stays bounded however long the job runs.
/// </summary>
public sealed class RunTrainingJob : TaskOrchestrator<RunTrainingJobInput, TrainingJobResult>
{
    public override async Task<TrainingJobResult> RunAsync(TaskOrchestrationContext context, RunTrainingJobInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var state = input;
        var policy = input.Policy;
        for (var polls = 1; ; polls++)
        {
            if (state.Current is null)
            {
                var handle = await context.CallActivityAsync<JobHandle>(TaskNames.SubmitJob, new SubmitJobInput(state.Spec, state.Attempt), RetryPolicies.Activity);
                state = state with { Current = handle, AttemptStartedUtc = context.CurrentUtcDateTime };
            }

            await ExitOrPollIntervalAsync(context, state.Attempt, policy.PollInterval);
            var progress = await context.CallActivityAsync<JobProgress>(TaskNames.GetJobStatus, state.Current, RetryPolicies.Activity);
            context.SetCustomStatus(StatusOf(state, progress));

            if (progress.State == JobState.Succeeded)
            {
                return new TrainingJobResult(
                    state.Spec.JobId, state.Spec.Verb, state.Spec.Output, state.Attempt,
                    progress.Manifest ?? throw new InvalidOperationException($"Job '{state.Spec.JobId}' succeeded without a manifest reference."),
                    progress.Outputs,
                    progress.Metrics ?? new Dictionary<string, double>())
                {
                    Generations = state.Generation + 1,
                };
            }

            if (progress.State == JobState.Failed)
            {
                state = NextAttempt(state, progress.Message ?? "failed", progress.Permanent);
            }
            else if (progress.State == JobState.Lost)
            {
                state = NextAttemptAfterLoss(state, progress.Message ?? "lost");
            }
            else if (context.CurrentUtcDateTime - state.AttemptStartedUtc > policy.AttemptTimeout)
            {
                await context.CallActivityAsync(TaskNames.CancelJob, state.Current, RetryPolicies.Activity);
                state = NextAttempt(state, $"no result after {policy.AttemptTimeout}");
            }

            if (polls >= policy.PollsPerGeneration)
            {
                context.ContinueAsNew(state with { Generation = state.Generation + 1 });
                return null!;
            }
        }
    }

    /// <summary>Waits until the runner signals that the attempt's process exited, or one poll interval, whichever is first.</summary>
    private static async Task ExitOrPollIntervalAsync(TaskOrchestrationContext context, int attempt, TimeSpan pollInterval)
    {
        try
        {
            await context.WaitForExternalEvent<string>(TaskNames.JobExitedEvent(attempt), pollInterval);
        }
        catch (TaskCanceledException)
        {
            // no signal within the interval: poll as usual
        }
    }

    /// <summary>Records the failure of the current attempt (the job's own) and clears it for resubmission, or gives up.</summary>
    private static RunTrainingJobInput NextAttempt(RunTrainingJobInput state, string reason, bool permanent = false)
    {
        var next = Resubmit(state, $"attempt {state.Attempt}: {reason}");
        return permanent || next.FailedAttempts >= state.Policy.MaxAttempts
            ? throw new JobFailedException(state.Spec.JobId, state.Spec.Verb, next.Failures)
            : next;
    }

    /// <summary>Records the loss of the current attempt (its host or node died) and clears it for resubmission, or gives up.</summary>
    private static RunTrainingJobInput NextAttemptAfterLoss(RunTrainingJobInput state, string reason)
    {
        var next = Resubmit(state, $"attempt {state.Attempt} lost: {reason}") with { LostAttempts = state.LostAttempts + 1 };
        return next.LostAttempts >= state.Policy.MaxLostAttempts
            ? throw new JobFailedException(state.Spec.JobId, state.Spec.Verb, next.Failures)
            : next;
    }

    private static RunTrainingJobInput Resubmit(RunTrainingJobInput state, string failure) =>
        state with { Attempt = state.Attempt + 1, Current = null, AttemptStartedUtc = null, Failures = [.. state.Failures, failure] };

    private static RunStatus StatusOf(RunTrainingJobInput state, JobProgress progress) =>
        new(state.Spec.Verb, (int)Math.Min(progress.Step, int.MaxValue), (int)Math.Min(progress.TotalSteps, int.MaxValue))
        {
            Metrics = progress.Metrics ?? new Dictionary<string, double>(),
            Message = $"{progress.State} (attempt {state.Attempt}; failed {state.FailedAttempts}/{state.Policy.MaxAttempts}, lost {state.LostAttempts}/{state.Policy.MaxLostAttempts})"
                + (progress.Message is null ? "" : $": {progress.Message}"),
        };
}

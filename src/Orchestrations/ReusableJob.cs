using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;

namespace Rlhf.Orchestrations;

/// <summary>
/// One trainer step of a run (docs/reuse.md): ask <c>FindReusableStep</c> whether an earlier run completed the same step (an
/// activity, so replay takes its recorded answer); if so take that step's result, whose manifest and outputs stay where they
/// are; otherwise run the job as a <see cref="RunTrainingJob"/> sub-orchestration and offer it for reuse. With
/// <paramref name="reuse"/> null (a history from before reuse) it only runs the job, exactly as such histories recorded.
/// </summary>
internal static class ReusableJob
{
    public static async Task<(TrainingJobResult Result, string? ReusedFrom)> RunAsync(
        TaskOrchestrationContext context, string runId, JobSpec job, JobPolicy policy, string instanceId, StepReuseOptions? reuse)
    {
        StepReuseLookup? lookup = null;
        if (reuse is not null)
        {
            lookup = await context.CallActivityAsync<StepReuseLookup>(TaskNames.FindReusableStep, new FindReusableStepInput(runId, job, reuse), RetryPolicies.Activity);
            if (lookup.Hit is { } hit)
            {
                return (hit.Result, hit.FromRun);
            }
        }

        var result = await context.CallSubOrchestratorAsync<TrainingJobResult>(
            TaskNames.RunTrainingJob, new RunTrainingJobInput(job, policy), new SubOrchestrationOptions { InstanceId = instanceId });
        if (lookup?.Key is { } key)
        {
            await RecordAsync(context, TaskNames.RecordReusableStep, new RecordReusableStepInput(runId, key, result));
        }

        return (result, null);
    }

    /// <summary>Offers a completed step for reuse; a failure to do so costs later runs a reuse, never this run its result.</summary>
    public static async Task RecordAsync<TInput>(TaskOrchestrationContext context, string activity, TInput input)
    {
        try
        {
            await context.CallActivityAsync<bool>(activity, input, RetryPolicies.Activity);
        }
        catch (TaskFailedException e)
        {
            context.CreateReplaySafeLogger(nameof(ReusableJob)).LogWarning("{Activity} failed; the step is not offered for reuse: {Error}", activity, e.Message);
        }
    }
}

using Microsoft.DurableTask;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Jobs;

/// <summary>Submits one attempt of a trainer job (idempotent per job id and attempt).</summary>
public sealed class SubmitJob(IJobRunner runner) : TaskActivity<SubmitJobInput, JobHandle>
{
    public override Task<JobHandle> RunAsync(TaskActivityContext context, SubmitJobInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return runner.SubmitAsync(input.Spec, input.Attempt);
    }
}

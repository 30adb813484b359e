using Microsoft.DurableTask;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Jobs;

/// <summary>Stops an attempt (timed out, or its run was cancelled).</summary>
public sealed class CancelJob(IJobRunner runner) : TaskActivity<JobHandle, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, JobHandle input)
    {
        await runner.CancelAsync(input);
        return true;
    }
}

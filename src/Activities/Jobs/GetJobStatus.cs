using Microsoft.DurableTask;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Jobs;

/// <summary>Reports an attempt's state from the job's artifacts.</summary>
public sealed class GetJobStatus(IJobRunner runner) : TaskActivity<JobHandle, JobProgress>
{
    public override Task<JobProgress> RunAsync(TaskActivityContext context, JobHandle input) => runner.GetStatusAsync(input);
}

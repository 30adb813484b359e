using Microsoft.DurableTask;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.Core.Telemetry;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// Submits one attempt of a trainer job (idempotent per job id and attempt) and, for a local job, names its monitor for the
/// exit signal (a remote runner sees no exit: its monitor polls).
/// </summary>
public sealed class SubmitJob(IJobRunner runner, JobExitSignals signals) : TaskActivity<SubmitJobInput, JobHandle>
{
    public override async Task<JobHandle> RunAsync(TaskActivityContext context, SubmitJobInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        // the runner starts the attempt under this span; it hands the span's context on to the trainer (TRACEPARENT)
        using var span = JobTelemetry.StartSubmit(input.Spec, input.Attempt);
        var handle = await runner.SubmitAsync(input.Spec, input.Attempt);
        if (handle.Runner == JobRunnerKind.Local)
        {
            signals.Watch(handle, context.InstanceId);
        }

        return handle;
    }
}

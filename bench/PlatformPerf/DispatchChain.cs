using Microsoft.DurableTask;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// Calls <see cref="NoOpActivity"/> <c>input</c> times, one after the other. Each call is one full round trip
/// of the platform: the orchestrator's episode ends, the task message goes to the work-item queue, the
/// worker runs the activity, its result goes to the control queue, the orchestration is replayed and
/// schedules the next call. With <see cref="DispatchChainInput.TimerMilliseconds"/> each call waits on a durable
/// timer first, as the job monitor's poll loop does. Returns the number of calls made.
/// </summary>
public sealed class DispatchChain : TaskOrchestrator<DispatchChainInput, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, DispatchChainInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        for (var i = 0; i < input.Calls; i++)
        {
            if (input.TimerMilliseconds > 0)
            {
                await context.CreateTimer(TimeSpan.FromMilliseconds(input.TimerMilliseconds), CancellationToken.None);
            }

            await context.CallActivityAsync<int>(nameof(NoOpActivity), i);
        }

        return input.Calls;
    }
}

public sealed record DispatchChainInput(int Calls, int TimerMilliseconds = 0);

/// <summary>Returns its input: an activity whose execution time is nothing but the platform's.</summary>
public sealed class NoOpActivity : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input);
}

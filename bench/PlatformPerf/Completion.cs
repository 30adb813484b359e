using Microsoft.DurableTask.Client;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>Waits for an orchestration by polling its state every 100 ms (the client's own wait polls about every 2 s).</summary>
internal static class Completion
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns the completed instance (with inputs, outputs and custom status); throws when it failed or timed out.</summary>
    public static async Task<OrchestrationMetadata> WaitAsync(DurableTaskClient client, string instanceId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
            if (state is { IsCompleted: true })
            {
                var completed = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
                return completed!.RuntimeStatus == OrchestrationRuntimeStatus.Completed
                    ? completed
                    : throw new InvalidOperationException($"Orchestration {instanceId} ended {completed.RuntimeStatus}: {completed.FailureDetails?.ErrorMessage}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Orchestration {instanceId} is still {state?.RuntimeStatus.ToString() ?? "unknown"} after {timeout}.");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}

using DurableTask.AzureStorage;
using DurableTask.AzureStorage.Tracking;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.Cli.Hosting;

/// <summary>How often the host looks for overdue timers, and how late a timer must be before it is woken.</summary>
public sealed record TimerSweepOptions(TimeSpan Interval, TimeSpan Margin);

/// <summary>
/// A guarantee that no run hangs on one lost message: every <see cref="TimerSweepOptions.Interval"/>, each running
/// instance idle for longer than the margin is checked for durable timers whose due time passed more than the margin
/// ago without a <c>TimerFired</c> in its history, and each is woken by sending the engine that <c>TimerFired</c>
/// again (<see cref="IOrchestrationServiceClient.SendTaskOrchestrationMessageAsync"/>). A duplicate (the original
/// arriving late after all) is ignored by the orchestration executor. The margin must exceed the control queue's
/// visibility timeout (a crashed host's dequeued message reappears after it) plus the polling delay.
/// Each wake-up is also recorded with its run (<see cref="EngineWakeUps"/>), which the run's status shows.
/// </summary>
public sealed class TimerSweeper(AzureStorageOrchestrationService service, TimerSweepOptions options, ILogger<TimerSweeper> logger, IArtifactStore? store = null) : BackgroundService
{
    private const int PageSize = 100;

    /// <summary>Instances woken since the host started.</summary>
    public int Woken { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Storage unreachable or a transient provider error: the next tick tries again.
                logger.LogInformation("Timer sweep skipped: {Reason}", e.Message);
            }
        }
    }

    /// <summary>One sweep over the hub's running instances; returns how many timers it woke.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var woken = 0;
        string? continuation = null;
        do
        {
            var page = await service.GetOrchestrationStateAsync(
                new OrchestrationInstanceStatusQueryCondition { RuntimeStatus = [OrchestrationStatus.Running], FetchInput = false, FetchOutput = false },
                PageSize, continuation, cancellationToken);
            foreach (var state in page.OrchestrationState.Where(s => s.LastUpdatedTime.ToUniversalTime() + options.Margin < now))
            {
                woken += await WakeAsync(state.OrchestrationInstance, now);
            }

            continuation = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(continuation));

        Woken += woken;
        return woken;
    }

    private async Task<int> WakeAsync(OrchestrationInstance instance, DateTime now)
    {
        var history = await service.GetOrchestrationHistoryAsync(instance.InstanceId, instance.ExecutionId);
        var overdue = OverdueTimers.Overdue(OverdueTimers.Pending(history), now, options.Margin);
        foreach (var timer in overdue)
        {
            await service.SendTaskOrchestrationMessageAsync(new TaskMessage
            {
                OrchestrationInstance = instance,
                Event = new TimerFiredEvent(-1) { TimerId = timer.TimerId, FireAt = timer.FireAtUtc },
            });
            logger.LogWarning(
                "Woke {InstanceId}: timer {TimerId} overdue by {OverdueSeconds:0} s (due {FireAt:O}, no TimerFired in its history)",
                instance.InstanceId, timer.TimerId, (now - timer.FireAtUtc).TotalSeconds, timer.FireAtUtc);
            if (store is not null)
            {
                await EngineWakeUps.AppendAsync(store, new EngineWakeUp(instance.InstanceId, timer.TimerId, timer.FireAtUtc, now));
            }
        }

        return overdue.Count;
    }
}

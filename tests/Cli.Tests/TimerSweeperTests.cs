using Azure.Storage.Queues;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Cli.Hosting;
using Rlhf.Tests.Shared;

namespace Rlhf.Cli.Tests;

/// <summary>
/// No run hangs on one lost message: a durable timer whose <c>TimerFired</c> message is deleted from the control queue
/// of a real hub (Azurite, the Azure Storage provider) is found overdue by the host's sweep and woken.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TimerSweeperTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_timer_whose_message_was_deleted_is_woken_after_the_margin_and_the_orchestration_completes()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var hub = $"s{suffix}";
        await using var host = await LocalHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            Storage = azurite.ConnectionString,
            TaskHub = hub,
            Container = $"c{suffix}",
            DataDir = Path.Combine(Path.GetTempPath(), $"rlhf-sweep-{suffix}"),
            SeedDatasets = false,
            TimerSweep = new TimerSweepOptions(TimeSpan.FromSeconds(1), Margin),
            ExtraTasks = r => r.AddOrchestrator<WaitTwoSeconds>(),
        });
        var client = host.Services.GetRequiredService<DurableTaskClient>();
        var engine = host.Services.GetRequiredService<IOrchestrationServiceClient>();

        // 1. the orchestration created its timer; delete every message of the control queue (the timer's is invisible until due)
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitTwoSeconds));
        var pending = await WaitForPendingTimerAsync(engine, id);
        await new QueueClient(azurite.ConnectionString, $"{hub}-control-00").ClearMessagesAsync();

        // 2. well past its due time nothing has woken it: the message really is lost
        await Task.Delay(pending.FireAtUtc + TimeSpan.FromSeconds(5) - DateTime.UtcNow);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await client.GetInstanceAsync(id))!.RuntimeStatus);

        // 3. the sweep wakes it once it is more than the margin overdue, and it completes
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.True(done.LastUpdatedAt.UtcDateTime > pending.FireAtUtc + Margin, $"completed at {done.LastUpdatedAt:O}, before the margin after {pending.FireAtUtc:O}");
        Assert.Equal("woke", done.ReadOutputAs<string>());
        Assert.Equal(1, host.Services.GetRequiredService<TimerSweeper>().Woken);
        // 4. the wake-up is recorded with its run, which the run's status shows (GET /api/runs/{id} "wakeUps")
        var wakeUp = Assert.Single(await Rlhf.Core.Runs.EngineWakeUps.ReadAsync(host.Services.GetRequiredService<Rlhf.Core.Artifacts.IArtifactStore>(), id));
        Assert.Equal((id, pending.TimerId), (wakeUp.InstanceId, wakeUp.TimerId));
        Assert.True(wakeUp.WokenUtc > wakeUp.DueUtc + Margin, $"woken {wakeUp.WokenUtc:O}, due {wakeUp.DueUtc:O}");
    }

    [Fact]
    public void Pending_timers_are_those_created_and_not_fired_and_overdue_ones_are_past_the_margin()
    {
        const string History = """
            [ { "EventType": 12, "EventId": -1 },
              { "EventType": 10, "EventId": 0, "FireAt": "2026-12-06T10:00:00Z" },
              { "EventType": 11, "EventId": -1, "TimerId": 0, "FireAt": "2026-12-06T10:00:00Z" },
              { "EventType": "TimerCreated", "EventId": 3, "FireAt": "2026-12-06T10:05:00Z" },
              { "EventType": 10, "EventId": 4, "FireAt": "2026-12-06T11:00:00Z" } ]
            """;

        var pending = OverdueTimers.Pending(History);

        Assert.Equal([3, 4], pending.Select(t => t.TimerId));
        var now = new DateTime(2026, 12, 6, 10, 7, 0, DateTimeKind.Utc);
        Assert.Equal([3], OverdueTimers.Overdue(pending, now, TimeSpan.FromMinutes(1)).Select(t => t.TimerId));
        Assert.Empty(OverdueTimers.Overdue(pending, now, TimeSpan.FromMinutes(5)));
    }

    private static async Task<PendingTimer> WaitForPendingTimerAsync(IOrchestrationServiceClient engine, string id)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var state = await engine.GetOrchestrationStateAsync(id, allExecutions: false);
            if (state is [{ OrchestrationStatus: OrchestrationStatus.Running } running]
                && OverdueTimers.Pending(await engine.GetOrchestrationHistoryAsync(id, running.OrchestrationInstance.ExecutionId)) is [var timer])
            {
                return timer;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{id} never created its timer.");
    }

    /// <summary>Waits on one two-second timer, then returns "woke".</summary>
    private sealed class WaitTwoSeconds : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await context.CreateTimer(TimeSpan.FromSeconds(2), CancellationToken.None);
            return "woke";
        }
    }
}

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Cli.Hosting;
using Rlhf.Tests.Shared;

namespace Rlhf.Cli.Tests;

/// <summary>
/// Durable timers on the local host's engine (Azure Storage provider on Azurite behind the gRPC sidecar) wait as long
/// as asked: the job monitor's poll interval and the human-labeling timeout are timers.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DurableTimerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_one_second_timer_never_fires_early()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var host = await LocalHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            Storage = azurite.ConnectionString,
            TaskHub = $"t{suffix}",
            Container = $"c{suffix}",
            DataDir = Path.Combine(Path.GetTempPath(), $"rlhf-timer-{suffix}"),
            SeedDatasets = false,
            ExtraTasks = r => r.AddOrchestrator<TimerProbe>(),
        });
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TimerProbe), 3);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var waits = done.ReadOutputAs<double[]>()!;
        Assert.Equal(3, waits.Length);
        // Before the fix the provider's whole-second truncation made these ~0.02 s; the engine may be up to 1 s late.
        Assert.All(waits, w => Assert.InRange(w, 1.0, 2.5));
    }

    /// <summary>Waits on <c>n</c> one-second timers and returns how long each took on the orchestration clock.</summary>
    private sealed class TimerProbe : TaskOrchestrator<int, double[]>
    {
        public override async Task<double[]> RunAsync(TaskOrchestrationContext context, int input)
        {
            var waits = new double[input];
            for (var i = 0; i < input; i++)
            {
                var before = context.CurrentUtcDateTime;
                await context.CreateTimer(TimeSpan.FromSeconds(1), CancellationToken.None);
                waits[i] = (context.CurrentUtcDateTime - before).TotalSeconds;
            }

            return waits;
        }
    }
}

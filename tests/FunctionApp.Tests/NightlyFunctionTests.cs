using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rlhf.Api;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.FunctionApp.Nightly;
using Rlhf.FunctionApp.Tests.Support;

namespace Rlhf.FunctionApp.Tests;

/// <summary>
/// The nightly TimerTrigger on the real engine: the first firing of a slot starts <c>NightlyRetrain</c> under
/// <c>nightly-{slot}</c>; another firing of that slot starts nothing; the next slot is skipped while the previous
/// nightly run is still going (here it waits durably for human labels) and starts once it has ended.
/// </summary>
public sealed class NightlyFunctionTests
{
    private static readonly DateTimeOffset FirstSlot = new(2025, 3, 4, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task OneRunPerSlotAndNoneWhileThePreviousNightlyRunIsStillGoing()
    {
        await using var host = await WrapperHost.StartAsync();
        await host.SeedTinyDatasetAsync();
        var specFile = Path.Combine(host.Root, "nightly.json");
        await File.WriteAllTextAsync(specFile, """
            { "name": "nightly", "sampling": { "k": 2, "shards": 1, "promptLimit": 4 }, "labeling": { "mode": "human", "batchSize": 4 },
              "compute": { "pollIntervalSeconds": 1 } }
            """);
        var clock = new FixedClock(FirstSlot.AddMilliseconds(300));
        var function = new NightlyFunction(
            Options.Create(new NightlyOptions { Schedule = "0 0 2 * * *", Spec = specFile }),
            host.Services.GetRequiredService<IArtifactStore>(), clock, NullLogger<NightlyFunction>.Instance);

        // 1. the timer fires: the [Function] method itself starts the slot's run
        await function.RunAsync(new TimerInfo(), host.Client, CancellationToken.None);
        var first = await host.Client.GetInstanceAsync("nightly-20250304T020000Z", getInputsAndOutputs: true);
        Assert.NotNull(first);
        Assert.Equal(TaskNames.NightlyRetrain, first.Name);
        Assert.Contains(host.Store.Location, first.SerializedInput, StringComparison.Ordinal);

        // 2. the same slot fires again (a retry, a second app instance): nothing new starts
        clock.Now = FirstSlot.AddSeconds(4);
        Assert.Equal((NightlyOutcome.AlreadyStartedForSlot, "nightly-20250304T020000Z"), await function.FireAsync(host.Client));
        Assert.Equal(["nightly-20250304T020000Z"], await NightlyRunIdsAsync(host.Client));

        // 3. the next night, while the first run is still going (it will wait days for human labels): skipped
        clock.Now = FirstSlot.AddDays(1);
        Assert.Equal((NightlyOutcome.PreviousStillRunning, "nightly-20250304T020000Z"), await function.FireAsync(host.Client));
        Assert.Null(await host.Client.GetInstanceAsync("nightly-20250305T020000Z"));

        // 4. once the previous run has ended, the next slot starts
        await host.Client.TerminateInstanceAsync("nightly-20250304T020000Z", "test: previous night ended");
        await host.WaitAsync("nightly-20250304T020000Z", TimeSpan.FromSeconds(30));
        clock.Now = FirstSlot.AddDays(2);
        Assert.Equal((NightlyOutcome.Started, "nightly-20250306T020000Z"), await function.FireAsync(host.Client));
    }

    [Fact]
    public async Task DefaultSpecShipsWithTheAppAndIsReadRelativeToItsFolder()
    {
        var spec = await NightlyFunction.LoadSpecAsync(new NightlyOptions().Spec);

        Assert.Equal("demo", spec.Name);
    }

    private static async Task<List<string>> NightlyRunIdsAsync(DurableTaskClient client)
    {
        var ids = new List<string>();
        await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = NightlyRuns.IdPrefix }))
        {
            if (instance.Name == TaskNames.NightlyRetrain)
            {
                ids.Add(instance.InstanceId);
            }
        }

        return ids;
    }
}

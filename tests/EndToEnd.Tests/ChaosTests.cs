using System.Globalization;
using Rlhf.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Rlhf.EndToEnd.Tests;

/// <summary>
/// Issue 10, deliverable 4: "kill the host and the run carries on" under many crashes. <c>rlhf serve</c> runs its data
/// folder's own Azurite, as a user's does, and is killed with SIGKILL at seeded random moments across the run, then
/// started again after a random 0-3 s; and, separately, the storage is stopped mid-run and started again. Each run
/// must complete with every step output hash-identical to the undisturbed run, within a bound that fails with the
/// run's status and the last history events of its running instances. The seed is printed; set
/// <c>RLHF_CHAOS_SEED</c> to replay one.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ChaosTests(EndToEndFixture fixture, ITestOutputHelper output)
{
    private const string RunId = EndToEndFixture.RunId;

    [Fact]
    public async Task RunSurvivesSixHostKillsAtRandomMomentsWithIdenticalOutputs()
    {
        var drill = await HostKillDrill.RunAsync(fixture, "chaos", kills: 6, killTrainers: false, Seed(), output.WriteLine);

        Assert.True(drill.Kills.Count >= 6, $"only {drill.Kills.Count} kills landed before the run finished");
        drill.Fingerprint.AssertIdenticalTo(await fixture.BaselineAsync());
        output.WriteLine($"{drill.Fingerprint.Hashes.Count} step outputs identical to the undisturbed run after {drill.Kills.Count} kills");
    }

    /// <summary>The machine-crash variant: trainers die with their host (storage kept). Their jobs are Lost, not Failed, and are
    /// resubmitted from their checkpoints under compute.maxLostAttempts (docs/jobs.md), so the run still ends identical.</summary>
    [Fact]
    public async Task RunSurvivesSixHostAndTrainerKillsWithIdenticalOutputs()
    {
        var drill = await HostKillDrill.RunAsync(fixture, "chaostr", kills: 6, killTrainers: true, Seed(), output.WriteLine);

        Assert.True(drill.Kills.Count >= 6, $"only {drill.Kills.Count} kills landed before the run finished");
        drill.Fingerprint.AssertIdenticalTo(await fixture.BaselineAsync());
    }

    [Fact]
    public async Task RunRidesOutAStorageOutageWithIdenticalOutputs()
    {
        await using var pipeline = ServedPipeline.OwnStorage("outage");
        await pipeline.StartHostAsync();
        await pipeline.StartRunAsync(RunId, EndToEndFixture.Spec);

        // the emulator goes away for 15 s while labels are being collected, then comes back on the same files
        await pipeline.WaitForRunAsync(RunId, r => r.Stages.Any(s => s.Stage == "labels"), EndToEndFixture.RunTimeout, "stage labels");
        var stopped = DateTime.UtcNow;
        await pipeline.StopStorageAsync();
        output.WriteLine($"storage stopped at {stopped:O} (the stop took {(DateTime.UtcNow - stopped).TotalSeconds:0.0} s)");
        await Task.Delay(TimeSpan.FromSeconds(15));
        await pipeline.StartStorageAsync();
        output.WriteLine($"storage started again at {DateTime.UtcNow:O}");

        await pipeline.WaitForCompletionAsync(RunId, EndToEndFixture.RunTimeout);
        Assert.True(pipeline.Host.IsRunning, $"rlhf serve exited during the outage.{Environment.NewLine}{pipeline.Log.Tail()}");
        var log = await File.ReadAllTextAsync(pipeline.Log.File);
        Assert.Contains("Storage unreachable at", log, StringComparison.Ordinal);
        Assert.Contains("Storage reachable again at", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
        (await RunFingerprint.ReadAsync(pipeline.Store, RunId)).AssertIdenticalTo(await fixture.BaselineAsync());
    }

    private int Seed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RLHF_CHAOS_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var given)
            ? given
            : Random.Shared.Next(1, 1_000_000);
        output.WriteLine($"chaos seed {seed} (RLHF_CHAOS_SEED={seed} replays it)");
        return seed;
    }
}

using System.Diagnostics;
using Rlhf.Api;

namespace Rlhf.EndToEnd.Tests.Support;

/// <summary>One SIGKILL of the host: when (seconds into the drill), in which stage, and how long until the restart.</summary>
internal sealed record HostKill(int Number, double AtSeconds, string Stage, double RestartDelaySeconds, int TrainersKilled);

/// <summary>What a drill did and how the run ended.</summary>
internal sealed record DrillResult(int Seed, IReadOnlyList<HostKill> Kills, RunDetail Run, RunFingerprint Fingerprint);

/// <summary>
/// The chaos drill: the end-to-end spec on a pipeline whose <c>serve</c> runs its own Azurite; <c>kills</c> times the
/// host is killed with SIGKILL (with its trainer processes when <c>killTrainers</c>, as a machine crash that keeps the
/// storage would) and started again after a seeded random 0-3 s. The kills aim at the run's six stages in order, spread
/// evenly (six kills: one per stage), each a seeded random 0-3 s after the run is seen in its stage or a later one, or
/// sooner once the stage's progress passes a seeded random fraction (0-0.8) of it,
/// so the kills land across all stages. Then the run must complete within <see cref="EndToEndFixture.RunTimeout"/>. The random draws do
/// not depend on timing, so a seed always gives the same schedule.
/// </summary>
internal static class HostKillDrill
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The run's stages in order, as the status names them.</summary>
    public static IReadOnlyList<string> Stages { get; } = ["base-policy", "samples", "labels", "reward", "policy", "evaluate"];

    /// <summary>Runs the drill; <paramref name="landed"/>, when given, receives each kill as it happens (kept if the drill fails).</summary>
    public static async Task<DrillResult> RunAsync(
        EndToEndFixture fixture, string name, int kills, bool killTrainers, int seed, Action<string> log, ICollection<HostKill>? landed = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(log);
        var random = new Random(seed);
        await using var pipeline = ServedPipeline.OwnStorage(name);
        await pipeline.StartHostAsync();
        await pipeline.StartRunAsync(EndToEndFixture.RunId, EndToEndFixture.Spec);
        var clock = Stopwatch.StartNew();
        var done = new List<HostKill>();
        for (var number = 1; number <= kills; number++)
        {
            var target = Stages[(number - 1) * Stages.Count / kills];
            var delay = TimeSpan.FromSeconds(random.NextDouble() * 3);
            var restartDelay = TimeSpan.FromSeconds(random.NextDouble() * 3);
            var fraction = random.NextDouble() * 0.8;
            var run = await PollAsync(pipeline, target, delay, fraction);
            if (run.IsFinished)
            {
                log($"the run finished after {done.Count} kills, before kill {number}");
                break;
            }

            var trainers = killTrainers ? await KillTrainersAsync(pipeline) : 0;
            await pipeline.KillHostAsync();
            var kill = new HostKill(number, clock.Elapsed.TotalSeconds, run.Stage ?? "(none)", restartDelay.TotalSeconds, trainers);
            done.Add(kill);
            landed?.Add(kill);
            log($"kill {number}: {kill.AtSeconds:0.0} s in, stage {kill.Stage}, {trainers} trainer(s) killed too, restart after {kill.RestartDelaySeconds:0.0} s");
            await Task.Delay(restartDelay);
            var restart = Stopwatch.StartNew();
            await pipeline.StartHostAsync();
            log($"    host ready again after {restart.Elapsed.TotalSeconds:0.0} s");
        }

        var completed = await pipeline.WaitForCompletionAsync(EndToEndFixture.RunId, EndToEndFixture.RunTimeout);
        log($"run completed {clock.Elapsed.TotalSeconds:0} s after it started");
        return new DrillResult(seed, done, completed, await RunFingerprint.ReadAsync(pipeline.Store, EndToEndFixture.RunId));
    }

    /// <summary>
    /// Polls the run until <paramref name="delay"/> after it is seen in <paramref name="stage"/> or a later one, or until it
    /// finishes; in the stage itself, sooner once its progress passes <paramref name="fraction"/>, so that a kill lands inside
    /// a stage shorter than the delay (on a fast machine a whole stage can take about a second).
    /// </summary>
    private static async Task<RunDetail> PollAsync(ServedPipeline pipeline, string stage, TimeSpan delay, double fraction)
    {
        var target = IndexOf(stage);
        DateTime? until = null;
        while (true)
        {
            var run = await pipeline.GetRunAsync(EndToEndFixture.RunId);
            if (until is null && IndexOf(run.Stage) >= target)
            {
                until = DateTime.UtcNow + delay;
            }

            if (run.IsFinished || DateTime.UtcNow >= until || (IndexOf(run.Stage) == target && run.Stages.LastOrDefault(s => s.Stage == stage)?.Progress >= fraction))
            {
                return run;
            }

            await Task.Delay(PollInterval);
        }
    }

    private static int IndexOf(string? stage) => stage is null ? -1 : Stages.ToList().IndexOf(stage);

    private static async Task<int> KillTrainersAsync(ServedPipeline pipeline)
    {
        var trainers = Processes.FindByCommandLine($"/{pipeline.Container}/jobs/");
        foreach (var pid in trainers)
        {
            await Processes.KillHardAsync(pid);
        }

        return trainers.Count;
    }
}

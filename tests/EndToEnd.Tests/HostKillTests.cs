using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Rlhf.EndToEnd.Tests;

/// <summary>
/// Issue acceptance 11a: <c>rlhf serve</c> is killed with SIGKILL twice during one run (while it labels comparisons,
/// and while the PPO trainer runs, which the crash leaves running as an orphan) and started again over the same task
/// hub and container each time. The run must complete with step outputs byte-identical to an undisturbed run.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HostKillTests(EndToEndFixture fixture, ITestOutputHelper output)
{
    private const string RunId = EndToEndFixture.RunId;

    [Fact]
    public async Task RunSurvivesTheHostKilledDuringLabelingAndDuringTrainingWithIdenticalArtifacts()
    {
        await using var pipeline = fixture.NewPipeline("hostkill");
        await pipeline.StartHostAsync();
        await pipeline.StartRunAsync(RunId, EndToEndFixture.Spec);

        // 1. kill -9 the host while the run is labeling, then start it again on the same storage
        var labeling = await pipeline.WaitForRunAsync(RunId, r => r.Stages.Any(s => s.Stage == "labels"), EndToEndFixture.RunTimeout, "stage labels");
        Assert.True(labeling.Stage == "labels", $"Labeling ended between two polls of the run (100 ms apart).{Environment.NewLine}{pipeline.Describe(labeling)}");
        await pipeline.KillHostAsync();
        var labelingKill = DateTime.UtcNow;
        await pipeline.StartHostAsync();
        output.WriteLine($"killed the host during labeling at {labelingKill:O}; restarted");

        // 2. kill -9 the host while the PPO trainer trains (its heartbeat says running); the crash leaves the trainer running
        var ppo = await pipeline.WaitForAsync(
            RunId,
            async run => run.Stage == "policy" && await pipeline.ReadProcessRecordAsync($"{RunId}-ppo") is { ExitCode: null } record
                && Processes.IsRunning(record.ProcessId)
                && (await pipeline.Store.ReadVersionedJsonAsync<JobStatus>(JobStatus.PathFor($"runs/{RunId}/ppo")))?.Value is { State: JobState.Running }
                    ? record
                    : null,
            EndToEndFixture.RunTimeout,
            "the PPO trainer to run");
        await pipeline.KillHostAsync();
        var trainingKill = DateTime.UtcNow;
        Assert.True(Processes.IsRunning(ppo.ProcessId), $"The PPO trainer (pid {ppo.ProcessId}) should outlive its killed host.");
        await pipeline.StartHostAsync();
        output.WriteLine($"killed the host during PPO (trainer pid {ppo.ProcessId} left running) at {trainingKill:O}; restarted");

        var run = await pipeline.WaitForCompletionAsync(RunId, EndToEndFixture.RunTimeout);

        // the interrupted stages really spanned the kills
        AssertSpans(run.Stages.Single(s => s.Stage == "labels"), labelingKill);
        AssertSpans(run.Stages.Single(s => s.Stage == "policy"), trainingKill);
        var final = await pipeline.ReadProcessRecordAsync($"{RunId}-ppo");
        output.WriteLine($"PPO finished as attempt {final?.Attempt} (1: the restarted host adopted the orphaned trainer)");
        output.WriteLine(string.Join(Environment.NewLine, run.Stages.Select(s => $"{s.Stage}: {s.Seconds:0.0} s")));

        var disturbed = await RunFingerprint.ReadAsync(pipeline.Store, RunId);
        disturbed.AssertIdenticalTo(await fixture.BaselineAsync());
        output.WriteLine($"{disturbed.Hashes.Count} step outputs identical to the undisturbed run");
    }

    private static void AssertSpans(Rlhf.Api.StageView stage, DateTime kill) =>
        Assert.True(
            stage.StartedUtc < kill && stage.FinishedUtc > kill,
            $"Stage {stage.Stage} ran {stage.StartedUtc:O} → {stage.FinishedUtc:O}, which does not span the kill at {kill:O}.");
}

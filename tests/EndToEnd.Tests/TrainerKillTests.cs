using System.Globalization;
using System.Text.RegularExpressions;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Rlhf.EndToEnd.Tests;

/// <summary>
/// Issue acceptance 11b: the SFT trainer process is killed with SIGKILL after its first checkpoint. The runner must
/// report the attempt failed, <c>RunTrainingJob</c> resubmit it, the trainer resume from its checkpoint, and the run
/// complete with step outputs byte-identical to an undisturbed run.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class TrainerKillTests(EndToEndFixture fixture, ITestOutputHelper output)
{
    private const string RunId = EndToEndFixture.RunId;
    private const string JobId = $"{RunId}-sft";

    [Fact]
    public async Task TrainerKilledMidJobIsResubmittedResumesFromItsCheckpointAndChangesNothing()
    {
        await using var pipeline = fixture.NewPipeline("trainerkill");
        await pipeline.StartHostAsync();
        await pipeline.StartRunAsync(RunId, EndToEndFixture.Spec);

        // 1. once SFT has written its first checkpoint, kill -9 the trainer process the runner recorded
        var victim = await pipeline.WaitForAsync(
            RunId,
            async _ => await pipeline.HasCheckpointAsync($"runs/{RunId}/sft")
                ? await pipeline.ReadProcessRecordAsync(JobId)
                : null,
            EndToEndFixture.RunTimeout,
            "the SFT job's first checkpoint");
        Assert.Equal(1, victim.Attempt);
        Assert.Null(victim.ExitCode);
        var commandLine = Processes.CommandLine(victim.ProcessId);
        Assert.True(commandLine.Contains("rlhf-trainer.dll sft", StringComparison.Ordinal), $"pid {victim.ProcessId} is not the SFT trainer: '{commandLine}'");
        Assert.False(await pipeline.Store.ExistsAsync($"runs/{RunId}/sft/manifest.json"), "SFT finished before it could be killed");
        await Processes.KillHardAsync(victim.ProcessId);
        output.WriteLine($"killed trainer pid {victim.ProcessId} ({commandLine}) at {DateTime.UtcNow:O}");

        var run = await pipeline.WaitForCompletionAsync(RunId, EndToEndFixture.RunTimeout);

        // 2. attempt 1 failed (exit code 137, log kept), attempt 2 resumed from a checkpoint, no third attempt
        var killed = await pipeline.ReadTextAsync(ArtifactLayout.JobLog(JobId, 1));
        Assert.DoesNotContain("done:", killed, StringComparison.Ordinal);
        Assert.True(await pipeline.Store.ExistsAsync(ArtifactLayout.JobAttempt(JobId, 2)), "the killed job was not resubmitted");
        Assert.False(await pipeline.Store.ExistsAsync(ArtifactLayout.JobAttempt(JobId, 3)), "a third attempt was submitted");
        var resumed = await pipeline.ReadTextAsync(ArtifactLayout.JobLog(JobId, 2));
        var match = ResumedAt().Match(resumed);
        Assert.True(match.Success, $"attempt 2 did not resume from a checkpoint:{Environment.NewLine}{resumed}");
        var step = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(step >= 100, $"attempt 2 resumed from step {step}");
        var status = await pipeline.Store.ReadJsonAsync<JobStatus>(JobStatus.PathFor($"runs/{RunId}/sft"));
        Assert.Equal((JobState.Succeeded, 2), (status.State, status.Attempt));
        output.WriteLine($"attempt 2 resumed from the step-{step} checkpoint");
        output.WriteLine(string.Join(Environment.NewLine, run.Stages.Select(s => $"{s.Stage}: {s.Seconds:0.0} s")));

        // 3. same bytes as the undisturbed run
        var disturbed = await RunFingerprint.ReadAsync(pipeline.Store, RunId);
        disturbed.AssertIdenticalTo(await fixture.BaselineAsync());
        output.WriteLine($"{disturbed.Hashes.Count} step outputs identical to the undisturbed run");
    }

    [GeneratedRegex("resumed from checkpoint at step ([0-9]+)")]
    private static partial Regex ResumedAt();
}

using System.Text.RegularExpressions;
using Microsoft.DurableTask.Client;
using Rlhf.Activities.Jobs;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.EndToEnd.Tests.Support;
using Rlhf.Orchestrations.Tests.Support;
using Rlhf.TrainerJob.Runtime;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// <see cref="RunTrainingJob"/> on the real engine with the real <c>LocalJobRunner</c> and the real trainer: an SFT job
/// whose first attempt is killed (SIGKILL from outside, or the trainer's crash-at-step fault injection on every attempt).
/// </summary>
public sealed partial class RunTrainingJobTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static RunTrainingJobInput Input(WorkflowHost host, int sftSteps, int maxAttempts, int pollsPerGeneration = 100) =>
        new(
            JobSpecs.Sft("run1", host.Store.Location, RealTrainer.TinySpec(sftSteps, checkpointEvery: 100)),
            new JobPolicy(maxAttempts, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(1), pollsPerGeneration));

    /// <summary>2000 steps of a 16-wide model: a few seconds of training after the first checkpoint (step 100) to kill it in.</summary>
    [Fact]
    public async Task KilledTrainerIsResubmittedAndResumesFromItsCheckpointAcrossContinueAsNew()
    {
        await using var host = await WorkflowHost.StartAsync();
        await host.SeedTinyDatasetAsync();

        // one poll per history generation: the orchestration continues as new many times and must still count attempts
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, Input(host, sftSteps: 2000, maxAttempts: 2, pollsPerGeneration: 1));
        var victim = await FirstAttemptAfterItsFirstCheckpointAsync(host.Store, "run1-sft", "runs/run1/sft");
        Assert.Contains("rlhf-trainer.dll sft", Processes.CommandLine(victim.ProcessId), StringComparison.Ordinal);
        await Processes.KillHardAsync(victim.ProcessId);
        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        var result = meta.ReadOutputAs<TrainingJobResult>()!;
        Assert.Equal(2, result.Attempts);
        Assert.True(result.Generations >= 4, $"expected several ContinueAsNew generations, got {result.Generations}");
        Assert.Contains(result.Outputs, o => o.Path == "runs/run1/sft/model/model.safetensors");
        Assert.True(double.IsFinite(result.Metrics["sft/loss"]));
        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.JobAttempt("run1-sft", 3)), "no third attempt may be submitted");
        var resumed = await LogAsync(host.Store, ArtifactLayout.JobLog("run1-sft", 2));
        var match = ResumedAt().Match(resumed);
        Assert.True(match.Success && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 100, $"attempt 2 did not resume from a checkpoint:\n{resumed}");
        var status = await host.Store.ReadJsonAsync<JobStatus>(JobStatus.PathFor("runs/run1/sft"));
        Assert.Equal((JobState.Succeeded, 2, 2000L), (status.State, status.Attempt, status.Step));
    }

    /// <summary>With a five-minute poll interval the job still completes in seconds: its exit wakes the monitor.</summary>
    [Fact]
    public async Task TheJobsExitWakesTheMonitorBeforeItsPollInterval()
    {
        await using var host = await WorkflowHost.StartAsync();
        await host.SeedTinyDatasetAsync();
        var input = Input(host, sftSteps: 20, maxAttempts: 1) with { Policy = new JobPolicy(1, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)) };

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, input);
        var meta = await host.WaitAsync(id, Timeout); // < the poll interval: a missed signal times out here

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        Assert.Equal(1, meta.ReadOutputAs<TrainingJobResult>()!.Attempts);
    }

    [Fact]
    public async Task GivesUpAfterMaxAttemptsWithEveryFailureInTheMessage()
    {
        // every attempt dies at step 1, before any checkpoint, as if killed (exit code 137)
        await using var host = await WorkflowHost.StartAsync(new Dictionary<string, string> { [JobContext.CrashAtStepVariable] = "1" });
        await host.SeedTinyDatasetAsync();

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, Input(host, sftSteps: 10, maxAttempts: 2));
        var meta = await host.WaitAsync(id, Timeout);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, meta.RuntimeStatus);
        var failure = meta.FailureDetails!;
        Assert.Equal(typeof(JobFailedException).FullName, failure.ErrorType);
        Assert.Contains("Job 'run1-sft' (sft) failed after 2 attempt(s)", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("attempt 1: exited with code 137", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("attempt 2: exited with code 137", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.JobAttempt("run1-sft", 3)), "no third attempt may be submitted");
        Assert.False(await host.Store.ExistsAsync("runs/run1/sft/manifest.json"));
    }

    /// <summary>Waits until attempt 1 of the job has written a checkpoint and returns its process record.</summary>
    private static async Task<JobProcessRecord> FirstAttemptAfterItsFirstCheckpointAsync(IArtifactStore store, string jobId, string output)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var record = (await store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess(jobId)))?.Value;
            Assert.False(record is { ExitCode: not null } || await store.ExistsAsync($"{output}/manifest.json"), $"attempt 1 ended before it could be killed: {record}");
            if (record is { Attempt: 1 } && await store.ListAsync($"{output}/checkpoints/").AnyAsync(p => p.EndsWith("/checkpoint.json", StringComparison.Ordinal)))
            {
                return record;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{jobId} wrote no checkpoint within {Timeout}.");
    }

    /// <summary>A job log: the runner stores it once the process has exited, which may be just after the job's manifest.</summary>
    private static async Task<string> LogAsync(IArtifactStore store, string path)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !await store.ExistsAsync(path) && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        return System.Text.Encoding.UTF8.GetString(await store.ReadAsync(path));
    }

    [GeneratedRegex("resumed from checkpoint at step ([0-9]+)")]
    private static partial Regex ResumedAt();
}

using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Orchestrations.Tests.Support;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// <see cref="RunTrainingJob"/> on the real engine with the real <c>LocalJobRunner</c>; the trainer process is
/// <c>script_trainer.py</c> (same command line and artifacts as rlhf-trainer), told to crash on chosen attempts.
/// </summary>
public sealed class RunTrainingJobTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static RunTrainingJobInput Input(WorkflowHost host, int maxAttempts, int pollsPerGeneration = 100) =>
        new(
            new JobSpec { Verb = JobVerbs.Sft, JobId = "run1-sft", Store = host.Store.Location, Output = "runs/run1/sft", Inputs = new Dictionary<string, string>() },
            new JobPolicy(maxAttempts, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(1), pollsPerGeneration));

    [Fact]
    public async Task JobThatCrashesOnFirstAttemptIsResubmittedAndSucceeds()
    {
        await using var host = await WorkflowHost.StartAsync(new Dictionary<string, string> { ["SCRIPT_FAIL_ATTEMPTS"] = "1" });

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, Input(host, maxAttempts: 3));
        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        var result = meta.ReadOutputAs<TrainingJobResult>()!;
        Assert.Equal(2, result.Attempts);
        Assert.Equal("runs/run1/sft/manifest.json", result.Manifest.Path);
        Assert.Equal(0.5, result.Metrics["sft/loss"]); // written by attempt 2
        Assert.Contains(result.Outputs, o => o.Path == "runs/run1/sft/model/config.json");
        var firstLog = System.Text.Encoding.UTF8.GetString(await host.Store.ReadAsync(ArtifactLayout.JobLog("run1-sft", 1)));
        Assert.Contains("simulated crash on attempt 1", firstLog, StringComparison.Ordinal);
        Assert.True(await host.Store.ExistsAsync(ArtifactLayout.JobLog("run1-sft", 2)));
    }

    [Fact]
    public async Task GivesUpAfterMaxAttemptsWithEveryFailureInTheMessage()
    {
        await using var host = await WorkflowHost.StartAsync(new Dictionary<string, string> { ["SCRIPT_FAIL_ATTEMPTS"] = "99" });

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, Input(host, maxAttempts: 2));
        var meta = await host.WaitAsync(id, Timeout);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, meta.RuntimeStatus);
        var failure = meta.FailureDetails!;
        Assert.Equal(typeof(JobFailedException).FullName, failure.ErrorType);
        Assert.Contains("Job 'run1-sft' (sft) failed after 2 attempt(s)", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("attempt 1: exited with code 3", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("attempt 2: exited with code 3", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.JobAttempt("run1-sft", 3)), "no third attempt may be submitted");
    }

    [Fact]
    public async Task ContinueAsNewKeepsTheAttemptCount()
    {
        // Each attempt runs ~1.2 s and is polled every 200 ms, one poll per history generation: the
        // orchestration continues as new several times per attempt and must still count attempts.
        await using var host = await WorkflowHost.StartAsync(new Dictionary<string, string>
        {
            ["SCRIPT_FAIL_ATTEMPTS"] = "1",
            ["SCRIPT_SLEEP"] = "1.2",
        });

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, Input(host, maxAttempts: 2, pollsPerGeneration: 1));
        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        var result = meta.ReadOutputAs<TrainingJobResult>()!;
        Assert.Equal(2, result.Attempts);
        Assert.True(result.Generations >= 4, $"expected several ContinueAsNew generations, got {result.Generations}");
        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.JobAttempt("run1-sft", 3)));
    }
}

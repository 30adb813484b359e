using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;
using Rlhf.FunctionApp.Tests.Support;

namespace Rlhf.FunctionApp.Tests;

/// <summary>
/// The Function App's <c>[Function]</c> wrappers on the real Durable Task engine, with the real activities, job
/// runner and simulated labeler configured from app settings, and the real trainer on a tiny model. The orchestrations reach every activity and sub-orchestration
/// by its <see cref="TaskNames"/> name, so a wrapper registered under a wrong name or reading the wrong input fails here.
/// </summary>
public sealed class WrapperWorkflowTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task NightlyRetrainRunsTheWholeChainThroughTheWrappersAndPublishesAFirstChampion()
    {
        await using var host = await WrapperHost.StartAsync();
        await host.SeedTinyDatasetAsync();
        var spec = RealTrainer.TinySpec();

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.NightlyRetrain, new NightlyRetrainInput("fa-1", spec, host.Store.Location));
        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        var result = meta.ReadOutputAs<RlhfRunResult>()!;
        Assert.Equal("runs/fa-1/ppo/model", result.Policy);
        Assert.True(result.Publish.Promoted, result.Publish.Reason); // no champion yet: the first nightly run becomes it
        Assert.True(double.IsFinite(result.Metrics[MetricKeys.Gold]), "the evaluate job reports a gold score");
        Assert.InRange(result.Metrics[MetricKeys.GoldAgreement], 0.5, 1.0); // simulated labels through LabelBatch

        var champion = await host.Store.ReadJsonAsync<Champion>(ArtifactLayout.Champion);
        Assert.Equal("fa-1", champion.RunId);
        Assert.Equal(result.Policy, champion.Policy);
        var manifest = await host.Store.ReadJsonAsync<StepManifest>(result.Manifest.Path);
        Assert.Contains(manifest.Outputs, o => o.Path == "runs/fa-1/labels/preferences.jsonl");
        Assert.Contains(manifest.Outputs, o => o.Path == "runs/fa-1/samples/shard-1/samples.jsonl");
        var run = await host.Client.GetInstanceAsync($"{id}:run", getInputsAndOutputs: true);
        Assert.Equal(TaskNames.RlhfRun, run!.Name);
        var status = run.ReadCustomStatusAs<RunStatus>()!;
        Assert.Equal(["base-policy", "samples", "labels", "reward", "policy", "evaluate", "publish", "completed"], status.Stages.Select(s => s.Stage));
    }

    [Fact]
    public async Task RunTrainingJobResubmitsCrashedAttemptsAcrossContinueAsNewThenGivesUp()
    {
        // every attempt of the real trainer dies at step 1 as if killed (exit code 137)
        await using var host = await WrapperHost.StartAsync(new Dictionary<string, string?>
        {
            [$"Rlhf:LocalJobRunner:EnvironmentVariables:{Rlhf.TrainerJob.Runtime.JobContext.CrashAtStepVariable}"] = "1",
        });
        await host.SeedTinyDatasetAsync();
        // one poll per history generation: every poll after the first runs in a ContinueAsNew generation whose
        // input the wrapper must read afresh, attempt count included
        var input = new RunTrainingJobInput(
            Rlhf.Orchestrations.JobSpecs.Sft("fa", host.Store.Location, RealTrainer.TinySpec()),
            new JobPolicy(MaxAttempts: 3, PollInterval: TimeSpan.FromMilliseconds(200), AttemptTimeout: TimeSpan.FromMinutes(1), PollsPerGeneration: 1));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, input);
        var meta = await host.WaitAsync(id, Timeout);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, meta.RuntimeStatus);
        var message = meta.FailureDetails!.ErrorMessage;
        Assert.Contains("Job 'fa-sft' (sft) failed after 3 attempt(s)", message, StringComparison.Ordinal);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Contains($"attempt {attempt}: exited with code 137", message, StringComparison.Ordinal);
        }

        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.JobAttempt("fa-sft", 4)), "no fourth attempt may be submitted");
    }
}

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
/// runner and simulated labeler configured from app settings; the trainer is <c>script_trainer.py</c> (real
/// processes and artifacts, trivial "training"). The orchestrations reach every activity and sub-orchestration
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
        var spec = RunSpec.Parse("""
            {
              "name": "fa",
              "sampling": { "k": 3, "shards": 2, "promptLimit": 12 },
              "labeling": { "batchSize": 4 },
              "compute": { "pollIntervalSeconds": 1, "maxAttempts": 2 }
            }
            """);

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.NightlyRetrain, new NightlyRetrainInput("fa-1", spec, host.Store.Location));
        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        var result = meta.ReadOutputAs<RlhfRunResult>()!;
        Assert.Equal("runs/fa-1/ppo/model", result.Policy);
        Assert.True(result.Publish.Promoted, result.Publish.Reason); // no champion yet: the first nightly run becomes it
        Assert.Equal(0.5, result.Metrics[MetricKeys.Gold]);
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
    public async Task RunTrainingJobResubmitsACrashedAttemptAndKeepsItsStateAcrossContinueAsNew()
    {
        await using var host = await WrapperHost.StartAsync(new Dictionary<string, string?>
        {
            ["Rlhf:LocalJobRunner:EnvironmentVariables:SCRIPT_FAIL_ATTEMPTS"] = "1",
        });
        // one poll per history generation: every poll after the first runs in a ContinueAsNew generation whose
        // input the wrapper must read afresh
        var input = new RunTrainingJobInput(
            new JobSpec { Verb = JobVerbs.Sft, JobId = "fa-sft", Store = host.Store.Location, Output = "runs/fa/sft" },
            new JobPolicy(MaxAttempts: 3, PollInterval: TimeSpan.FromMilliseconds(200), AttemptTimeout: TimeSpan.FromMinutes(1), PollsPerGeneration: 1));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, input);
        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        var result = meta.ReadOutputAs<TrainingJobResult>()!;
        Assert.Equal(2, result.Attempts);
        Assert.True(result.Generations >= 2, $"{result.Generations} generation(s)");
        Assert.Equal(0.5, result.Metrics["sft/loss"]); // written by attempt 2
        Assert.Equal("runs/fa/sft/manifest.json", result.Manifest.Path);
        var firstLog = System.Text.Encoding.UTF8.GetString(await host.Store.ReadAsync(ArtifactLayout.JobLog("fa-sft", 1)));
        Assert.Contains("simulated crash on attempt 1", firstLog, StringComparison.Ordinal);
    }
}

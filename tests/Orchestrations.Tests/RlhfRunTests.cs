using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations.Tests.Support;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// The whole chain on the real engine: every orchestration and activity as registered for the hosts, the real
/// job runner and labeler; the trainer process is <c>script_trainer.py</c> (real processes, real artifacts,
/// trivial "training"), so these tests check the workflow, not learning.
/// </summary>
public sealed class RlhfRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static RunSpec Spec(string store) => RunSpec.Parse("""
        {
          "name": "wf",
          "sampling": { "k": 3, "shards": 2, "promptLimit": 12 },
          "labeling": { "batchSize": 4 },
          "compute": { "pollIntervalSeconds": 1, "maxAttempts": 2 }
        }
        """);

    [Fact]
    public async Task RunChainsEveryStagePublishesAFirstChampionAndNightlyRetrainWarmStartsFromIt()
    {
        var root = Directory.CreateTempSubdirectory("rlhf-run-").FullName;
        try
        {
            // 1. a full run; the sample step crashes once on its first attempt and is resubmitted
            RlhfRunResult first;
            await using (var host = await WorkflowHost.StartAsync(new Dictionary<string, string> { ["SCRIPT_FAIL_ATTEMPTS"] = "1", ["SCRIPT_FAIL_VERBS"] = "sample" }, root: root))
            {
                await host.SeedTinyDatasetAsync();
                var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RlhfRun, new RlhfRunInput("wf-1", Spec(root), host.Store.Location));
                var meta = await host.WaitAsync(id, Timeout);
                Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
                first = meta.ReadOutputAs<RlhfRunResult>()!;

                Assert.Equal("runs/wf-1/ppo/model", first.Policy);
                Assert.True(first.Publish.Promoted, first.Publish.Reason);
                Assert.Equal(0.5, first.Metrics[MetricKeys.Gold]);
                Assert.InRange(first.Metrics[MetricKeys.GoldAgreement], 0.5, 1.0);
                var status = meta.ReadCustomStatusAs<RunStatus>()!;
                Assert.Equal(["base-policy", "samples", "labels", "reward", "policy", "evaluate", "publish", "completed"], status.Stages.Select(s => s.Stage));
                Assert.All(status.Stages, s => Assert.NotNull(s.FinishedUtc));
                var manifest = await host.Store.ReadJsonAsync<StepManifest>(first.Manifest.Path);
                Assert.Equal(
                    [
                        "runs/wf-1/evaluate/manifest.json", "runs/wf-1/labels/preferences.jsonl", "runs/wf-1/ppo/manifest.json", "runs/wf-1/reward/manifest.json",
                        "runs/wf-1/samples/shard-0/samples.jsonl", "runs/wf-1/samples/shard-1/samples.jsonl", "runs/wf-1/sft/manifest.json",
                    ],
                    manifest.Outputs.Select(o => o.Path));
                Assert.Equal("wf-1", manifest.RunId);
                Assert.True(await host.Store.ExistsAsync(ArtifactLayout.JobLog("wf-1-samples-shard-0", 2)), "the crashed shard was resubmitted");
                var shard = await host.Client.GetInstanceAsync($"{id}:samples:shard-0", getInputsAndOutputs: true);
                Assert.Equal(2, shard!.ReadOutputAs<TrainingJobResult>()!.Attempts);
            }

            // 2. nightly: warm start from the champion, its labels merged in, not promoted when it is not better
            await using (var host = await WorkflowHost.StartAsync(new Dictionary<string, string> { ["SCRIPT_EVAL_GOLD"] = "0.4" }, root: root))
            {
                var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.NightlyRetrain, new NightlyRetrainInput("wf-2", Spec(root), host.Store.Location));
                var meta = await host.WaitAsync(id, Timeout);
                Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
                var nightly = meta.ReadOutputAs<RlhfRunResult>()!;

                Assert.False(nightly.Publish.Promoted);
                Assert.Equal(0.5, nightly.Publish.ChampionScore);
                var sampleSpec = await host.Store.ReadJsonAsync<Core.Jobs.JobSpec>(ArtifactLayout.JobSpec("wf-2-samples-shard-0"));
                Assert.Equal(first.Policy, sampleSpec.Inputs["policy"]);
                Assert.False(await host.Store.ExistsAsync("runs/wf-2/sft/manifest.json"), "a warm start trains no SFT policy");
                var priorLines = await LinesAsync(host.Store, ArtifactLayout.Preferences("wf-1"));
                var mergedLines = await LinesAsync(host.Store, ArtifactLayout.Preferences("wf-2"));
                Assert.True(mergedLines > priorLines, $"{mergedLines} merged vs {priorLines} prior");
                var champion = await host.Store.ReadJsonAsync<Champion>(ArtifactLayout.Champion);
                Assert.Equal("wf-1", champion.RunId);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<int> LinesAsync(IArtifactStore store, string path) =>
        (await store.ReadAsync(path)).Count(b => b == (byte)'\n');
}

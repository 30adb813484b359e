using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations.Tests.Support;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// The whole chain on the real engine: every orchestration and activity as registered for the hosts, the real job
/// runner, labeler and trainer (a tiny model, so these tests check the workflow, not how much is learned).
/// </summary>
public sealed class RlhfRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>The "ai and mixed modes finish without humans": mixed's human batches time out and fall back to the judge.</summary>
    [Theory]
    [InlineData(LabelingMode.Ai)]
    [InlineData(LabelingMode.Mixed)]
    public async Task AiAndMixedRunsFinishWithoutPeople(LabelingMode mode)
    {
        await using var host = await WorkflowHost.StartAsync();
        await host.SeedTinyDatasetAsync();
        var tiny = RealTrainer.TinySpec();
        var spec = tiny with
        {
            Labeling = tiny.Labeling with
            {
                Mode = mode,
                HumanFraction = 0.5,
                Human = new HumanLabelingSpec { TimeoutMinutes = 0.02, OnTimeout = HumanTimeoutPolicy.FallbackToAi },
            },
        };
        var runId = $"wf-{mode}".ToLowerInvariant();

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RlhfRun, new RlhfRunInput(runId, spec, host.Store.Location));
        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        var preferences = await host.Store.ReadAsync(ArtifactLayout.Preferences(runId));
        Assert.All(Activities.Labeling.Jsonl.Deserialize<PreferenceRecord>("preferences", preferences), p => Assert.Equal(Activities.Labeling.Judges.ConstitutionJudge.Name, p.Labeler));
        // mixed: batch 1 of 3 went to people (humanFraction 0.5), was audited, timed out and reused the audit's verdicts
        Assert.Equal(mode == LabelingMode.Mixed, await host.Store.ExistsAsync(ArtifactLayout.Labels(runId, 1, LabelParts.Audit)));
    }

    [Fact]
    public async Task RunChainsEveryStagePublishesAFirstChampionAndNightlyRetrainWarmStartsFromIt()
    {
        var root = Directory.CreateTempSubdirectory("rlhf-run-").FullName;
        try
        {
            // 1. a full run: the first evaluated policy becomes the champion
            RlhfRunResult first;
            await using (var host = await WorkflowHost.StartAsync(root: root))
            {
                await host.SeedTinyDatasetAsync();
                var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RlhfRun, new RlhfRunInput("wf-1", RealTrainer.TinySpec(), host.Store.Location));
                var meta = await host.WaitAsync(id, Timeout);
                Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
                first = meta.ReadOutputAs<RlhfRunResult>()!;

                Assert.Equal("runs/wf-1/ppo/model", first.Policy);
                Assert.True(first.Publish.Promoted, first.Publish.Reason);
                Assert.True(double.IsFinite(first.Metrics[MetricKeys.Gold]));
                Assert.Equal(first.Metrics[MetricKeys.Gold], first.Publish.Candidate);
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
                var shard = await host.Client.GetInstanceAsync($"{id}:samples:shard-0", getInputsAndOutputs: true);
                Assert.Equal(1, shard!.ReadOutputAs<TrainingJobResult>()!.Attempts);
                Assert.Equal(12 * 3, await LinesAsync(host.Store, ArtifactLayout.Preferences("wf-1"))); // C(3,2) pairs per prompt
            }

            // 2. nightly: warm start from the champion, its labels merged in, not promoted below the required gain
            await using (var host = await WorkflowHost.StartAsync(root: root))
            {
                var spec = RealTrainer.TinySpec(minImprovement: 1000);
                var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.NightlyRetrain, new NightlyRetrainInput("wf-2", spec, host.Store.Location));
                var meta = await host.WaitAsync(id, Timeout);
                Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
                var nightly = meta.ReadOutputAs<RlhfRunResult>()!;

                Assert.False(nightly.Publish.Promoted);
                Assert.Equal(first.Metrics[MetricKeys.Gold], nightly.Publish.ChampionScore);
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
            WorkflowHost.DeleteFolder(root);
        }
    }

    private static async Task<int> LinesAsync(IArtifactStore store, string path) =>
        (await store.ReadAsync(path)).Count(b => b == (byte)'\n');
}

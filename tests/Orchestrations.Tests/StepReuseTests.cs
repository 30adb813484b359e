using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Rlhf.Activities.Reuse;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations.Tests.Support;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// Reuse of unchanged steps (docs/reuse.md) on the real engine with the real trainer: whole tiny runs one after another in
/// one store, each started as <c>POST /api/runs</c> starts it (with a <see cref="ReusePolicy"/>).
/// </summary>
public sealed class StepReuseTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task OnlyPpoChangedReusesSftSamplesLabelsAndRewardModelAChangedSeedReusesNothingAndARerunRunsItsStageAgain()
    {
        await using var host = await WorkflowHost.StartAsync();
        await host.SeedTinyDatasetAsync();
        var spec = RealTrainer.TinySpec();
        var first = await RunAsync(host, "reuse-a", spec, new ReusePolicy());
        Assert.All(first, s => Assert.Null(s.ReusedFrom));

        // 1. only a PPO parameter changed: everything before the policy stage is taken from reuse-a, by reference
        var ppo = (JsonObject)spec.Policy.Ppo.DeepClone();
        ppo["learningRate"] = 0.0002;
        var second = await RunAsync(host, "reuse-b", spec with { Policy = spec.Policy with { Ppo = ppo } }, new ReusePolicy());

        Assert.Equal(
            ["base-policy:reuse-a", "samples:reuse-a", "labels:reuse-a", "reward:reuse-a", "policy:", "evaluate:", "publish:"],
            second.Where(s => s.Stage != "completed").Select(s => $"{s.Stage}:{s.ReusedFrom}"));
        Assert.Empty(await InstancesAsync(host, "reuse-b:sft", "reuse-b:reward", "reuse-b:samples:shard-0", "reuse-b:samples:shard-1"));
        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.JobSpec("reuse-b-sft")), "a reused step submits no job");
        // nothing copied: the step folder holds only the reference
        Assert.Equal(["runs/reuse-b/sft/reused.json"], await ListAsync(host.Store, "runs/reuse-b/sft/"));
        Assert.Equal(["runs/reuse-b/labels/reused.json"], await ListAsync(host.Store, "runs/reuse-b/labels/"));
        var ppoJob = await host.Store.ReadJsonAsync<JobSpec>(ArtifactLayout.JobSpec("reuse-b-ppo"));
        Assert.Equal("runs/reuse-a/sft/model", ppoJob.Inputs[JobInputs.Policy]);
        Assert.Equal("runs/reuse-a/reward/model", ppoJob.Inputs[JobInputs.RewardModel]);
        var manifest = await host.Store.ReadJsonAsync<StepManifest>("runs/reuse-b/manifest.json");
        Assert.Contains(manifest.Outputs, o => o.Path == "runs/reuse-a/sft/manifest.json");
        Assert.Contains(manifest.Outputs, o => o.Path == "runs/reuse-b/ppo/manifest.json");
        Assert.Equal(["reuse-b"], await new ReuseIndex(host.Store).ReferrersAsync("reuse-a"));
        // the trainer recorded the code version the host keys reuse by
        Assert.Equal(ReuseKeys.TrainerCode, (await host.Store.ReadJsonAsync<StepManifest>("runs/reuse-a/sft/manifest.json")).CodeVersion);

        // 2. another seed: every key differs, nothing is reused
        var third = await RunAsync(host, "reuse-c", spec with { Seed = 4 }, new ReusePolicy());
        Assert.All(third, s => Assert.Null(s.ReusedFrom));

        // 3. a rerun of reuse-a from the reward stage: earlier stages from reuse-a (preferred), reward and later run again
        var fourth = await RunAsync(host, "reuse-d", spec, new ReusePolicy { RerunFrom = PipelineStage.Reward, PreferRun = "reuse-a" });
        Assert.Equal(
            ["base-policy:reuse-a", "samples:reuse-a", "labels:reuse-a", "reward:", "policy:", "evaluate:", "publish:"],
            fourth.Where(s => s.Stage != "completed").Select(s => $"{s.Stage}:{s.ReusedFrom}"));
        Assert.True(await host.Store.ExistsAsync("runs/reuse-d/reward/manifest.json"), "the rerun's reward model was trained again");
        // same inputs, parameters, seed and code: the retrained reward model is byte-identical to the reused one's
        Assert.Equal(
            (await host.Store.GetRefAsync("runs/reuse-a/reward/model/model.safetensors"))!.Sha256,
            (await host.Store.GetRefAsync("runs/reuse-d/reward/model/model.safetensors"))!.Sha256);
    }

    private static async Task<IReadOnlyList<StageTiming>> RunAsync(WorkflowHost host, string runId, RunSpec spec, ReusePolicy reuse)
    {
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RlhfRun, new RlhfRunInput(runId, spec, host.Store.Location) { Reuse = reuse });
        var meta = await host.WaitAsync(id, Timeout);
        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        return meta.ReadCustomStatusAs<RunStatus>()!.Stages;
    }

    private static async Task<List<string>> InstancesAsync(WorkflowHost host, params string[] ids)
    {
        var found = new List<string>();
        foreach (var id in ids)
        {
            if (await host.Client.GetInstanceAsync(id) is not null)
            {
                found.Add(id);
            }
        }

        return found;
    }

    private static async Task<List<string>> ListAsync(IArtifactStore store, string prefix)
    {
        var paths = new List<string>();
        await foreach (var path in store.ListAsync(prefix))
        {
            paths.Add(path);
        }

        return paths;
    }
}

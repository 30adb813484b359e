using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations.Tests.Support;

namespace Rlhf.Orchestrations.Tests;

/// <summary>A whole tiny run with each policy algorithm: its row of the algorithm table picks the verb, the step and the inputs.</summary>
public sealed class PolicyAlgorithmRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);

    [Theory]
    [InlineData(PolicyAlgorithm.Grpo, """{ "iterations": 2, "promptsPerIteration": 2, "numGenerations": 2, "maxNewTokens": 8, "learningRate": 0.0001, "heldoutEvery": 1, "heldoutPrompts": 4 }""", "heldout")]
    [InlineData(PolicyAlgorithm.Rloo, """{ "iterations": 2, "promptsPerIteration": 2, "numGenerations": 2, "maxNewTokens": 8, "learningRate": 0.0001 }""", "rewardModel")]
    [InlineData(PolicyAlgorithm.Dpo, """{ "epochs": 1, "batchSize": 4, "maxLength": 48 }""", "preferences")]
    public async Task RunWithEachAlgorithmTrainsThroughItsOwnVerbAndStep(PolicyAlgorithm algorithm, string parameters, string learnsFrom)
    {
        await using var host = await WorkflowHost.StartAsync();
        await host.SeedTinyDatasetAsync();
        var tiny = RealTrainer.TinySpec();
        var block = JsonNode.Parse(parameters)!.AsObject();
        var policy = algorithm switch
        {
            PolicyAlgorithm.Grpo => tiny.Policy with { Algorithm = algorithm, Grpo = block },
            PolicyAlgorithm.Rloo => tiny.Policy with { Algorithm = algorithm, Rloo = block },
            _ => tiny.Policy with { Algorithm = algorithm, Dpo = block },
        };
        var row = PolicyAlgorithms.For(algorithm);
        var runId = $"alg-{row.Step}";

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RlhfRun, new RlhfRunInput(runId, tiny with { Policy = policy }, host.Store.Location));
        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        var result = meta.ReadOutputAs<RlhfRunResult>()!;
        Assert.Equal($"runs/{runId}/{row.Step}/model", result.Policy);
        var job = await host.Store.ReadJsonAsync<Core.Jobs.JobSpec>(ArtifactLayout.JobSpec($"{runId}-{row.Step}"));
        Assert.Equal(row.Verb, job.Verb);
        Assert.Contains(learnsFrom, job.Inputs.Keys);
        Assert.Equal(block.ToJsonString(), job.Params.ToJsonString());
        Assert.False(await host.Store.ExistsAsync($"runs/{runId}/ppo/manifest.json"), "no PPO step in a run of another algorithm");
        Assert.Equal(learnsFrom == "heldout", await host.Store.ExistsAsync($"runs/{runId}/{row.Step}/heldout.json")); // GRPO's held-out checks ran on the run's held-out prompts
        var manifest = await host.Store.ReadJsonAsync<StepManifest>(result.Manifest.Path);
        Assert.Contains($"runs/{runId}/{row.Step}/manifest.json", manifest.Outputs.Select(o => o.Path));
        var status = meta.ReadCustomStatusAs<RunStatus>()!;
        Assert.Equal(PipelineStages.All.Where(s => s != PipelineStage.SupervisedCai).Select(PipelineStages.Name).Append("completed"), status.Stages.Select(s => s.Stage)); // no constitution.supervised
    }
}

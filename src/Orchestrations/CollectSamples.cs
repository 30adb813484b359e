using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations;

/// <summary>
/// Fan-out/fan-in of the sample step: one <see cref="RunTrainingJob"/> sub-orchestration per shard
/// (instance id <c>{instanceId}:shard-{i}</c>), or an earlier run's identical shard (<see cref="ReusableJob"/>), results in
/// shard order whatever order they finish in.
/// </summary>
public sealed class CollectSamples : TaskOrchestrator<CollectSamplesInput, CollectSamplesResult>
{
    public override async Task<CollectSamplesResult> RunAsync(TaskOrchestrationContext context, CollectSamplesInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var policy = JobPolicy.From(input.Compute);
        var jobs = Enumerable.Range(0, input.Sampling.Shards)
            .Select(i => ReusableJob.RunAsync(context, input.RunId, JobSpecs.Sample(input, i), policy, $"{context.InstanceId}:shard-{i}", input.Reuse))
            .ToList();

        await FanIn.WhenAllWithProgressAsync(jobs, (done, total) =>
            context.SetCustomStatus(new RunStatus(PipelineStages.Name(PipelineStage.Samples), done, total)));

        var shards = jobs.Select(j => j.Result.Result).Select(r =>
            r.Outputs.FirstOrDefault(o => o.Path == ArtifactLayout.Samples(r.Output))
            ?? throw new InvalidOperationException($"Sample job '{r.JobId}' finished without listing {ArtifactLayout.Samples(r.Output)} in its manifest."));
        return new CollectSamplesResult([.. shards]) { ReusedFrom = [.. jobs.Select(j => j.Result.ReusedFrom)] };
    }
}

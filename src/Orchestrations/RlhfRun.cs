using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations;

/// <summary>
/// The whole RLHF loop for one run: base policy (SFT job, checkpoint or champion) → optional SL-CAI (<see cref="SupervisedCai"/>) → samples (sharded)
/// → labels (batched) → reward model → policy optimisation (the algorithm's row of <see cref="PolicyAlgorithms"/>) → evaluation → publish if better → run manifest.
/// Sub-orchestration ids are <c>{instanceId}:{step}</c>, so the CLI can find every job of a run.
/// Only artifact references travel through history.
/// </summary>
public sealed class RlhfRun : TaskOrchestrator<RlhfRunInput, RlhfRunResult>
{
    public override async Task<RlhfRunResult> RunAsync(TaskOrchestrationContext context, RlhfRunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var (runId, spec, store) = (input.RunId, input.Spec, input.Store);
        var jobPolicy = JobPolicy.From(spec.Compute);
        var progress = new RunProgress(context, PipelineStages.All.Count - (spec.Constitution.Supervised is null ? 1 : 0));
        var steps = new List<ArtifactRef>();

        async Task<TrainingJobResult> JobAsync(Core.Jobs.JobSpec job, string step)
        {
            // the current stage's job: its heartbeat is the stage's progress; an earlier run's identical step is taken instead (docs/reuse.md)
            progress.Running(job.Output);
            var (result, reusedFrom) = await ReusableJob.RunAsync(
                context, runId, job, jobPolicy, $"{context.InstanceId}:{step}", progress.CurrentStage is { } stage ? input.Reuse?.For(stage) : null);
            progress.Reused(reusedFrom);
            steps.Add(result.Manifest);
            progress.AddArtifact(result.Manifest);
            progress.AddMetrics(result.Metrics);
            return result;
        }

        // 0. base policy
        progress.Start(PipelineStages.Name(PipelineStage.BasePolicy), $"source {spec.BasePolicy.Source}");
        var basePolicy = spec.BasePolicy.Source switch
        {
            BasePolicySource.Train => ArtifactLayout.Model((await JobAsync(JobSpecs.Sft(runId, store, spec), StepNames.Sft)).Output),
            BasePolicySource.Checkpoint => spec.BasePolicy.Checkpoint!,
            _ => (await context.CallActivityAsync<Champion?>(TaskNames.ResolveChampion, null, RetryPolicies.Activity))?.Policy
                ?? throw new InvalidOperationException("basePolicy.source is champion but no champion has been published yet."),
        };

        // 0b. SL-CAI (optional): the rest of the run starts from the policy fine-tuned on its revisions; evaluation still compares with the base
        var sftPolicy = basePolicy;
        if (spec.Constitution.Supervised is { } supervised)
        {
            progress.Start(PipelineStages.Name(PipelineStage.SupervisedCai), $"critic {supervised.Critic}, up to {supervised.Rounds} round(s)");
            var cai = await context.CallSubOrchestratorAsync<SupervisedCaiResult>(TaskNames.SupervisedCai, new SupervisedCaiInput(runId, store, basePolicy, spec) { Reuse = input.Reuse?.For(PipelineStage.SupervisedCai) },
                new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:{StepNames.SupervisedCai}" });
            steps.AddRange(cai.Artifacts);
            progress.AddArtifact(cai.Summary);
            progress.AddMetrics(new Dictionary<string, double> { ["sl-cai/responses"] = cai.Responses, ["sl-cai/revised"] = cai.Revised, ["sl-cai/rounds"] = cai.Rounds });
            basePolicy = cai.Policy;
        }

        // 1. samples
        progress.Start(PipelineStages.Name(PipelineStage.Samples));
        progress.Running([.. Enumerable.Range(0, spec.Sampling.Shards).Select(i => ArtifactLayout.Step(runId, StepNames.SampleShard(i)))]);
        var samples = await context.CallSubOrchestratorAsync<CollectSamplesResult>(
            TaskNames.CollectSamples,
            new CollectSamplesInput(runId, store, basePolicy, spec.Datasets.TrainPrompts, spec.Sampling, spec.Compute, spec.Seed) { Reuse = input.Reuse?.For(PipelineStage.Samples) },
            new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:{StepNames.Samples}" });
        progress.Reused(samples.ReusedFrom is [{ } from, ..] && samples.ReusedFrom.All(r => r == from) ? from : null);

        // 2. labels
        progress.Start(PipelineStages.Name(PipelineStage.Labels), $"{samples.Shards.Count} shard(s), mode {spec.Labeling.Mode}");
        var labels = await context.CallSubOrchestratorAsync<LabelComparisonsResult>(
            TaskNames.LabelComparisons,
            new LabelComparisonsInput(runId, samples.Shards, spec.Labeling, spec.Seed) { PriorPreferences = input.PriorPreferences, Reuse = input.Reuse?.For(PipelineStage.Labels) },
            new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:{StepNames.Labels}" });
        progress.Reused(labels.ReusedFrom);
        progress.AddArtifact(labels.Preferences);
        if (labels.GoldAgreement is { } agreement)
        {
            progress.AddMetrics(new Dictionary<string, double> { [MetricKeys.GoldAgreement] = agreement });
        }

        // 3. reward model
        progress.Start(PipelineStages.Name(PipelineStage.Reward), $"{labels.Pairs} pairs");
        var reward = await JobAsync(JobSpecs.Reward(runId, store, spec, basePolicy, labels.Preferences.Path), StepNames.Reward);
        var rewardModel = ArtifactLayout.Model(reward.Output);

        // 4. policy optimisation
        var algorithm = PolicyAlgorithms.For(spec.Policy.Algorithm);
        progress.Start(PipelineStages.Name(PipelineStage.Policy), algorithm.Verb);
        var optimised = await JobAsync(JobSpecs.Policy(runId, store, spec, basePolicy, rewardModel, labels.Preferences.Path), algorithm.Step);
        var policy = ArtifactLayout.Model(optimised.Output);

        // 5. evaluation
        progress.Start(PipelineStages.Name(PipelineStage.Evaluate));
        var evaluation = await JobAsync(JobSpecs.Evaluate(runId, store, spec, policy, sftPolicy, rewardModel), StepNames.Evaluate);

        // 6. publish
        progress.Start(PipelineStages.Name(PipelineStage.Publish));
        var publish = spec.Publish.Enabled
            ? await context.CallActivityAsync<PublishResult>(
                TaskNames.PublishIfBetter,
                new PublishInput(runId, policy, rewardModel, labels.Preferences, evaluation.Metrics, spec.Publish),
                RetryPolicies.Activity)
            : new PublishResult(false, "publish.enabled is false");

        var manifest = await context.CallActivityAsync<ArtifactRef>(
            TaskNames.WriteRunManifest,
            new RunManifestInput(runId, spec, [.. steps, .. samples.Shards, labels.Preferences], progress.Metrics),
            RetryPolicies.Activity);
        progress.AddArtifact(manifest);
        progress.Complete(publish.Promoted ? $"promoted: {publish.Reason}" : $"not promoted: {publish.Reason}");
        return new RlhfRunResult(runId, policy, new Dictionary<string, double>(progress.Metrics), publish, manifest);
    }
}

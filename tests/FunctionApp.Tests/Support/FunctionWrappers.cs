using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.FunctionApp.Activities;
using Rlhf.FunctionApp.Orchestrators;

namespace Rlhf.FunctionApp.Tests.Support;

/// <summary>
/// Registers the Function App's own <c>[Function]</c> methods — not the orchestrator/activity classes — with the
/// in-process Durable Task engine, under the same names, the way the Durable extension dispatches to them.
/// Orchestrators are registered with their input type: the wrappers read it with <c>context.GetInput&lt;T&gt;()</c>,
/// which the Functions context converts from JSON and the plain engine's context casts from the registered type.
/// </summary>
internal static class FunctionWrappers
{
    public static void Register(DurableTaskRegistry registry, Func<IServiceProvider> services)
    {
        ActivityFunctions Activities() => new(services());

        registry
            .AddOrchestratorFunc<RlhfRunInput, RlhfRunResult>(TaskNames.RlhfRun, (ctx, _) => OrchestratorFunctions.RlhfRun(ctx))
            .AddOrchestratorFunc<CollectSamplesInput, CollectSamplesResult>(TaskNames.CollectSamples, (ctx, _) => OrchestratorFunctions.CollectSamples(ctx))
            .AddOrchestratorFunc<LabelComparisonsInput, LabelComparisonsResult>(TaskNames.LabelComparisons, (ctx, _) => OrchestratorFunctions.LabelComparisons(ctx))
            .AddOrchestratorFunc<RunTrainingJobInput, TrainingJobResult>(TaskNames.RunTrainingJob, (ctx, _) => OrchestratorFunctions.RunTrainingJob(ctx))
            .AddOrchestratorFunc<NightlyRetrainInput, RlhfRunResult>(TaskNames.NightlyRetrain, (ctx, _) => OrchestratorFunctions.NightlyRetrain(ctx))
            .AddActivityFunc<SubmitJobInput, JobHandle>(TaskNames.SubmitJob, (ctx, input) => Activities().SubmitJob(input, ctx.InstanceId))
            .AddActivityFunc<JobHandle, JobProgress>(TaskNames.GetJobStatus, (ctx, input) => Activities().GetJobStatus(input, ctx.InstanceId))
            .AddActivityFunc<JobHandle, bool>(TaskNames.CancelJob, (ctx, input) => Activities().CancelJob(input, ctx.InstanceId))
            .AddActivityFunc<object?, Champion?>(TaskNames.ResolveChampion, (ctx, input) => Activities().ResolveChampion(input, ctx.InstanceId))
            .AddActivityFunc<object?, LabelPool?>(TaskNames.ResolveLabelPool, (ctx, input) => Activities().ResolveLabelPool(input, ctx.InstanceId))
            .AddActivityFunc<string, LabelPool?>(TaskNames.AdvanceLabelPool, (ctx, input) => Activities().AdvanceLabelPool(input!, ctx.InstanceId))
            .AddActivityFunc<PrepareLabelBatchesInput, LabelBatches>(TaskNames.PrepareLabelBatches, (ctx, input) => Activities().PrepareLabelBatches(input, ctx.InstanceId))
            .AddActivityFunc<LabelBatchInput, LabelBatchResult>(TaskNames.LabelBatch, (ctx, input) => Activities().LabelBatch(input, ctx.InstanceId))
            .AddActivityFunc<MergePreferencesInput, ArtifactRef>(TaskNames.MergePreferences, (ctx, input) => Activities().MergePreferences(input, ctx.InstanceId))
            .AddActivityFunc<PublishInput, PublishResult>(TaskNames.PublishIfBetter, (ctx, input) => Activities().PublishIfBetter(input, ctx.InstanceId))
            .AddActivityFunc<RunManifestInput, ArtifactRef>(TaskNames.WriteRunManifest, (ctx, input) => Activities().WriteRunManifest(input, ctx.InstanceId));
    }
}

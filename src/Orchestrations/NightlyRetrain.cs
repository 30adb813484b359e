using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations;

/// <summary>
/// The nightly retraining run: warm-starts from the published champion (or, before there is one, from the spec's own
/// base policy), labels fresh samples and trains on them together with the labels accumulated so far — the champion's,
/// then the label pool's (every later night's, promoted or not), bounded by <c>labeling.window</c> — and promotes the
/// result only through the publish gate (always on here). Once the night's labels are merged the pool moves on to them,
/// even when a later step fails, so no night's labels are lost to the next.
/// </summary>
public sealed class NightlyRetrain : TaskOrchestrator<NightlyRetrainInput, RlhfRunResult>
{
    public override async Task<RlhfRunResult> RunAsync(TaskOrchestrationContext context, NightlyRetrainInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var champion = await context.CallActivityAsync<Champion?>(TaskNames.ResolveChampion, null, RetryPolicies.Activity);
        var pool = await context.CallActivityAsync<LabelPool?>(TaskNames.ResolveLabelPool, null, RetryPolicies.Activity);
        var spec = input.Spec with
        {
            BasePolicy = champion is null ? input.Spec.BasePolicy : input.Spec.BasePolicy with { Source = BasePolicySource.Champion },
            Publish = input.Spec.Publish with { Enabled = true },
        };
        var prior = PriorPreferences(champion, pool);
        context.SetCustomStatus(new RunStatus("nightly", 0, 1)
        {
            Message = (champion is null ? "no champion yet: cold start" : $"warm start from champion of run {champion.RunId}")
                + (pool is null ? "" : $"; label pool of run {pool.RunId}"),
        });

        RlhfRunResult result;
        try
        {
            result = await context.CallSubOrchestratorAsync<RlhfRunResult>(
                TaskNames.RlhfRun,
                new RlhfRunInput(input.RunId, spec, input.Store) { PriorPreferences = prior },
                new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:run" });
        }
        catch (TaskFailedException)
        {
            await context.CallActivityAsync<LabelPool?>(TaskNames.AdvanceLabelPool, input.RunId, RetryPolicies.Activity);
            throw;
        }

        await context.CallActivityAsync<LabelPool?>(TaskNames.AdvanceLabelPool, input.RunId, RetryPolicies.Activity);
        context.SetCustomStatus(new RunStatus("nightly", 1, 1) { Message = result.Publish.Describe() });
        return result;
    }

    /// <summary>The champion's labels first, then the pool's (which may repeat them: the merge keeps the first copy).</summary>
    public static IReadOnlyList<ArtifactRef> PriorPreferences(Champion? champion, LabelPool? pool) =>
        [.. new[] { champion?.Preferences, pool?.Preferences }.OfType<ArtifactRef>().DistinctBy(r => r.Path)];
}

using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations;

/// <summary>
/// The nightly retraining run: warm-starts from the published champion (or, before there is one, from
/// the spec's own base policy), labels fresh samples and trains on them together with the champion's
/// preferences, and promotes the result only through the publish gate (always on here).
/// </summary>
public sealed class NightlyRetrain : TaskOrchestrator<NightlyRetrainInput, RlhfRunResult>
{
    public override async Task<RlhfRunResult> RunAsync(TaskOrchestrationContext context, NightlyRetrainInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var champion = await context.CallActivityAsync<Champion?>(TaskNames.ResolveChampion, null, RetryPolicies.Activity);
        var spec = input.Spec with
        {
            BasePolicy = champion is null ? input.Spec.BasePolicy : input.Spec.BasePolicy with { Source = BasePolicySource.Champion },
            Publish = input.Spec.Publish with { Enabled = true },
        };
        IReadOnlyList<ArtifactRef> prior = champion?.Preferences is { } preferences ? [preferences] : [];
        context.SetCustomStatus(new RunStatus("nightly", 0, 1)
        {
            Message = champion is null ? "no champion yet: cold start" : $"warm start from champion of run {champion.RunId}",
        });

        return await context.CallSubOrchestratorAsync<RlhfRunResult>(
            TaskNames.RlhfRun,
            new RlhfRunInput(input.RunId, spec, input.Store) { PriorPreferences = prior },
            new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:run" });
    }
}

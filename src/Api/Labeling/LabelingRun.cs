using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations;

namespace Rlhf.Api.Labeling;

/// <summary>
/// A run's labeling stage as the Api sees it: the <c>LabelComparisons</c> instance <c>{runId}:labels</c> (its input holds
/// the labeling spec) and whether it is still waiting.
/// </summary>
public sealed record LabelingRun(string RunId, LabelComparisonsInput Input, bool IsWaiting)
{
    public static string InstanceId(string runId) => $"{runId}:labels";

    public LabelingSpec Spec => Input.Labeling;

    /// <summary>Whether batch <paramref name="batchIndex"/> goes to people (mode human, or its share of mode mixed).</summary>
    public bool IsHumanBatch(int batchIndex) => LabelComparisons.ModeOf(Spec, batchIndex) == LabelingMode.Human;

    /// <summary>The labeling stage of <paramref name="runId"/>, or the problem to answer (404 no such run, 409 not there yet).</summary>
    public static async Task<(LabelingRun? Run, IResult? Problem)> FindAsync(DurableTaskClient client, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var labels = await client.GetInstanceAsync(InstanceId(runId), getInputsAndOutputs: true, cancellationToken);
        if (labels is null)
        {
            return await client.GetInstanceAsync(runId, cancellationToken) is null
                ? (null, ApiProblem.NotFound($"There is no run '{runId}'."))
                : (null, ApiProblem.Conflict($"Run '{runId}' has not reached its labeling stage yet."));
        }

        var input = labels.ReadInputAs<LabelComparisonsInput>()
            ?? throw new InvalidOperationException($"Instance '{labels.InstanceId}' has no input.");
        var waiting = labels.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending;
        return (new LabelingRun(runId, input, waiting), null);
    }
}

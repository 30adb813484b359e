using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Reuse;

/// <summary>
/// Before the labeling stage: its reuse key (<see cref="ReuseKeys.ForLabels"/>) and, when it looks up and an earlier run
/// labeled the same comparisons the same way, that run's labeling (anchored by its merged preferences).
/// </summary>
public sealed class FindReusableLabels(IArtifactStore store, ILogger<FindReusableLabels> logger) : TaskActivity<FindReusableLabelsInput, LabelsReuseLookup>
{
    public const string Step = "labels";

    public override async Task<LabelsReuseLookup> RunAsync(TaskActivityContext context, FindReusableLabelsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var key = ReuseKeys.ForLabels(input.Labels, ReuseKeys.LabelingCode);
        if (key is null || !input.Options.Lookup)
        {
            return new LabelsReuseLookup(key);
        }

        var entry = await new ReuseIndex(store).ClaimAsync(key, input.Labels.RunId, Step, input.Options.PreferRun);
        if (entry is null)
        {
            return new LabelsReuseLookup(key);
        }

        logger.LogInformation("Run {RunId} reuses the labels of run {FromRun} (key {Key})", input.Labels.RunId, entry.RunId, key);
        return new LabelsReuseLookup(key) { FromRun = entry.RunId, Hit = entry.ResultAs<LabelComparisonsResult>() };
    }
}

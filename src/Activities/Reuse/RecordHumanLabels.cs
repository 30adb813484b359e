using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Activities.Reuse;

/// <summary>After people closed a batch: offers their stored submissions for the same comparisons in later runs.</summary>
public sealed class RecordHumanLabels(IArtifactStore store) : TaskActivity<HumanLabelsReuseInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, HumanLabelsReuseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var submitted = input.Submitted ?? throw new ArgumentException("Submitted is required to record a human batch.", nameof(input));
        if (await store.GetRefAsync(HumanSubmissionStore.EventPath(input.RunId, input.BatchIndex)) is not { } anchor)
        {
            return false;
        }

        var key = ReuseKeys.ForHumanBatch(input.Batch, input.Labeling);
        var reuse = new HumanBatchReuse(input.RunId, input.BatchIndex, submitted.Labelers);
        var step = HumanSubmissionStore.Folder(input.RunId, input.BatchIndex)[$"{ArtifactLayout.Run(input.RunId)}/".Length..];
        await new ReuseIndex(store).RecordAsync(new ReuseEntry(key, input.RunId, step, anchor, JsonSerializer.SerializeToNode(reuse, JsonDefaults.Options)!));
        return true;
    }
}

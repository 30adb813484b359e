using System.Text.Json;
using Microsoft.DurableTask;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Activities.Reuse;

/// <summary>After the labeling stage completed: offers it for reuse under its key, anchored by the merged preferences.</summary>
public sealed class RecordReusableLabels(IArtifactStore store) : TaskActivity<RecordReusableLabelsInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, RecordReusableLabelsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = JsonSerializer.SerializeToNode(input.Result, JsonDefaults.Options)!;
        await new ReuseIndex(store).RecordAsync(new ReuseEntry(input.Key, input.RunId, FindReusableLabels.Step, input.Result.Preferences, result));
        return true;
    }
}

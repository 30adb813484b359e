using Microsoft.DurableTask;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Labeling;

/// <summary>
/// Concatenates prior preference files and the run's labeled batches, in the given order, into
/// <c>runs/{runId}/labels/preferences.jsonl</c>, checking every input's SHA-256. The orchestration passes
/// batches in batch order, so the merged file (and its hash) is the same whatever order batches finished in.
/// </summary>
public sealed class MergePreferences(IArtifactStore store) : TaskActivity<MergePreferencesInput, ArtifactRef>
{
    public override async Task<ArtifactRef> RunAsync(TaskActivityContext context, MergePreferencesInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var merged = new MemoryStream();
        foreach (var part in input.Prior.Concat(input.Batches))
        {
            var content = await Jsonl.ReadVerifiedAsync(store, part);
            merged.Write(content);
            if (content.Length > 0 && content[^1] != (byte)'\n')
            {
                merged.WriteByte((byte)'\n');
            }
        }

        return await store.PutAsync(ArtifactLayout.Preferences(input.RunId), merged.ToArray());
    }
}

using Microsoft.DurableTask;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Labeling;

/// <summary>
/// Sample shards → comparison batches. Items are ordered by prompt id (ordinal), so the batches do not
/// depend on how prompts were spread over shards or which shard finished first; each batch is
/// <c>runs/{runId}/labels/batches/batch-NNNN.jsonl</c> (lines of <see cref="SampleRecord"/>), write-once,
/// so a retried activity rewrites the same bytes as a no-op.
/// </summary>
public sealed class PrepareLabelBatches(IArtifactStore store) : TaskActivity<PrepareLabelBatchesInput, LabelBatches>
{
    public override async Task<LabelBatches> RunAsync(TaskActivityContext context, PrepareLabelBatchesInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(input.BatchSize, 1);
        var items = new List<SampleRecord>();
        foreach (var shard in input.SampleShards)
        {
            items.AddRange(await Jsonl.ReadAsync<SampleRecord>(store, shard));
        }

        var duplicate = items.GroupBy(i => i.PromptId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"Prompt '{duplicate.Key}' appears {duplicate.Count()} times across the sample shards of run '{input.RunId}'.");
        }

        items.Sort((a, b) => string.CompareOrdinal(a.PromptId, b.PromptId));
        var batches = new List<ArtifactRef>();
        foreach (var (chunk, index) in items.Chunk(input.BatchSize).Select((c, i) => (c, i)))
        {
            batches.Add(await store.PutAsync(ArtifactLayout.LabelBatch(input.RunId, index), Jsonl.Serialize(chunk)));
        }

        var pairs = items.Sum(i => SimulatedLabeler.PairsOf(i).Count());
        return new LabelBatches(batches, items.Count, pairs);
    }
}

using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Activities.Reuse;

/// <summary>Where an earlier run's people answered the same comparisons: its run and batch, the labelers whose submissions count.</summary>
public sealed record HumanBatchReuse(string FromRun, int FromBatch, IReadOnlyList<string> Labelers);

/// <summary>
/// Before a batch goes to people: if people already answered exactly these comparisons (same batch content, same number of
/// labelers per comparison, same principles) in an earlier run, their stored submissions are aggregated again for this run
/// (<see cref="HumanLabelAggregator"/>, today's code) and written as this batch's labels, which also closes the batch's
/// labeling page. Returns null when nobody answered them before. Asked whenever the run reuses at all (a rerun from the labels
/// stage too): people's work is never thrown away; a run with <c>reuse: false</c> asks people again.
/// </summary>
public sealed class FindHumanLabels(IArtifactStore store, ILogger<FindHumanLabels> logger) : TaskActivity<HumanLabelsReuseInput, LabelBatchResult?>
{
    public override async Task<LabelBatchResult?> RunAsync(TaskActivityContext context, HumanLabelsReuseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var key = ReuseKeys.ForHumanBatch(input.Batch, input.Labeling);
        var index = new ReuseIndex(store);
        var submissions = new HumanSubmissionStore(store);
        var candidates = new List<string>();
        await foreach (var path in store.ListAsync($"reuse/keys/{key}/"))
        {
            candidates.Add(path);
        }

        foreach (var path in candidates.Order(StringComparer.Ordinal))
        {
            var entry = await store.ReadJsonAsync<ReuseEntry>(path);
            if (entry.RunId == input.RunId || !await index.HoldsAsync(entry.Anchor))
            {
                continue;
            }

            var earlier = entry.ResultAs<HumanBatchReuse>();
            var chosen = (await submissions.ListAsync(earlier.FromRun, earlier.FromBatch))
                .Where(s => earlier.Labelers.Contains(s.Labeler, StringComparer.Ordinal))
                .ToList();
            var items = await Jsonl.ReadAsync<SampleRecord>(store, input.Batch);
            var content = Jsonl.Serialize(HumanLabelAggregator.Aggregate(input.RunId, items, chosen));
            ArtifactRef labels;
            try
            {
                labels = await store.PutAsync(ArtifactLayout.Labels(input.RunId, input.BatchIndex), content);
            }
            catch (ArtifactConflictException)
            {
                // people of this run closed the batch first: their event is on its way
                return null;
            }

            await store.PutJsonAsync(HumanSubmissionStore.ReusedPath(input.RunId, input.BatchIndex), earlier);
            logger.LogInformation(
                "Batch {Batch} of run {RunId} reuses the answers of {Labelers} to batch {FromBatch} of run {FromRun}",
                input.BatchIndex, input.RunId, string.Join(',', earlier.Labelers), earlier.FromBatch, earlier.FromRun);
            return new LabelBatchResult(input.BatchIndex, labels, content.Count(b => b == (byte)'\n'), HumanLabelAggregator.LabelerName(earlier.Labelers))
            {
                ReusedFrom = earlier.FromRun,
            };
        }

        return null;
    }
}

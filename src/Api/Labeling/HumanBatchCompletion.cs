using Microsoft.DurableTask.Client;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Api.Labeling;

/// <summary>Where a human batch stands after a submission.</summary>
public sealed record HumanBatchState(int Submissions, int Required, bool Signalled, bool ClosedByMachine);

/// <summary>
/// Closes a human batch once it has <c>annotatorsPerComparison</c> submissions, in steps that are each write-once
/// and so safe to repeat after a crash at any point (every later submission or replay of one re-runs them):
/// <list type="number">
/// <item><c>_event.json</c>: the <see cref="HumanLabelsSubmitted"/> payload, naming the first <c>required</c> labelers
/// (ordinal order); when two requests race, the first write wins and the other reads it back.</item>
/// <item>the batch's labels file <c>runs/{runId}/labels/batch-NNNN.jsonl</c>, aggregated from exactly those labelers.</item>
/// <item><see cref="TaskNames.HumanLabelsEvent"/> raised on <c>{runId}:labels</c>, then <c>_signalled.json</c>.</item>
/// </list>
/// Raising twice (a crash between the event and the marker) is harmless: the orchestration takes one event per
/// batch and returns; an extra one is never awaited. If the batch timed out and fell back to the AI judge, its
/// labels file already exists without an <c>_event.json</c>: the batch is closed and nothing is raised.
/// </summary>
public static class HumanBatchCompletion
{
    public static string EventPath(string runId, int batchIndex) => HumanSubmissionStore.EventPath(runId, batchIndex);

    public static async Task<bool> IsClosedByMachineAsync(IArtifactStore store, string runId, int batchIndex, CancellationToken cancellationToken) =>
        await store.ExistsAsync(ArtifactLayout.Labels(runId, batchIndex), cancellationToken)
        && !await store.ExistsAsync(EventPath(runId, batchIndex), cancellationToken);

    public static async Task<HumanBatchState> CompleteIfReadyAsync(
        DurableTaskClient client, HumanLabeling labeling, LabelingRun run, int batchIndex, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(labeling);
        ArgumentNullException.ThrowIfNull(run);
        var store = labeling.Store;
        var required = run.Spec.AnnotatorsPerComparison;
        var submissions = await labeling.Submissions.ListAsync(run.RunId, batchIndex, cancellationToken);
        var signalledPath = HumanSubmissionStore.SignalledPath(run.RunId, batchIndex);
        if (await store.ExistsAsync(signalledPath, cancellationToken))
        {
            return new HumanBatchState(submissions.Count, required, Signalled: true, ClosedByMachine: false);
        }

        if (await IsClosedByMachineAsync(store, run.RunId, batchIndex, cancellationToken))
        {
            return new HumanBatchState(submissions.Count, required, Signalled: false, ClosedByMachine: true);
        }

        var eventPath = EventPath(run.RunId, batchIndex);
        HumanLabelsSubmitted? submitted = await store.ExistsAsync(eventPath, cancellationToken)
            ? await store.ReadJsonAsync<HumanLabelsSubmitted>(eventPath, cancellationToken)
            : null;
        if (submitted is null)
        {
            if (submissions.Count < required)
            {
                return new HumanBatchState(submissions.Count, required, Signalled: false, ClosedByMachine: false);
            }

            var chosen = submissions.Take(required).ToList();
            var content = Jsonl.Serialize(HumanLabelAggregator.Aggregate(run.RunId, items, chosen));
            var labels = new ArtifactRef(ArtifactLayout.Labels(run.RunId, batchIndex), ContentHash.Sha256(content), content.Length);
            var pairs = content.Count(b => b == (byte)'\n');
            submitted = new HumanLabelsSubmitted(batchIndex, labels, pairs, [.. chosen.Select(s => s.Labeler)]);
            try
            {
                await store.PutJsonAsync(eventPath, submitted, cancellationToken);
            }
            catch (ArtifactConflictException)
            {
                submitted = await store.ReadJsonAsync<HumanLabelsSubmitted>(eventPath, cancellationToken);
            }
        }

        var agreed = submissions.Where(s => submitted.Labelers.Contains(s.Labeler, StringComparer.Ordinal)).ToList();
        try
        {
            await store.PutAsync(submitted.Labels.Path, Jsonl.Serialize(HumanLabelAggregator.Aggregate(run.RunId, items, agreed)), cancellationToken);
        }
        catch (ArtifactConflictException)
        {
            // The AI fallback labeled the batch between our check and this write.
            return new HumanBatchState(submissions.Count, required, Signalled: false, ClosedByMachine: true);
        }

        await client.RaiseEventAsync(LabelingRun.InstanceId(run.RunId), TaskNames.HumanLabelsEvent(batchIndex), submitted, cancellationToken);
        await store.PutJsonAsync(signalledPath, submitted, cancellationToken);
        return new HumanBatchState(submissions.Count, required, Signalled: true, ClosedByMachine: false);
    }
}

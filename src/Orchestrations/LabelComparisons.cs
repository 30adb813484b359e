using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations;

/// <summary>
/// Sample shards → comparison batches → one labeling task per batch (fan-out) → merged preferences
/// (fan-in, in batch order, so the result does not depend on which batch finishes first).
/// Simulated and AI batches are labeled by the <c>LabelBatch</c> activity; human batches wait durably
/// for <see cref="TaskNames.HumanLabelsEvent"/> with a timeout, then follow <see cref="HumanLabelingSpec.OnTimeout"/>.
/// </summary>
public sealed class LabelComparisons : TaskOrchestrator<LabelComparisonsInput, LabelComparisonsResult>
{
    public override async Task<LabelComparisonsResult> RunAsync(TaskOrchestrationContext context, LabelComparisonsInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var prepared = await context.CallActivityAsync<LabelBatches>(
            TaskNames.PrepareLabelBatches,
            new PrepareLabelBatchesInput(input.RunId, input.SampleShards, input.Labeling.BatchSize),
            RetryPolicies.Activity);

        var labeling = prepared.Batches
            .Select((batch, i) => LabelAsync(context, input, i, batch))
            .ToList();
        await FanIn.WhenAllWithProgressAsync(labeling, (done, total) =>
            // counts only: a status listing every batch outgrows Azure Table's 64 KB property at ~230 batches
            context.SetCustomStatus(new RunStatus("labels", done, total)));

        var labels = labeling.Select(t => t.Result).ToList();
        var merged = await context.CallActivityAsync<Core.Artifacts.ArtifactRef>(
            TaskNames.MergePreferences,
            new MergePreferencesInput(input.RunId, input.PriorPreferences, [.. labels.Select(l => l.Labels)]),
            RetryPolicies.Activity);

        var scored = labels.Where(l => l.GoldAgreement is not null).ToList();
        var pairs = scored.Sum(l => l.Pairs);
        return new LabelComparisonsResult(merged, labels.Count, labels.Sum(l => l.Pairs))
        {
            GoldAgreement = pairs == 0 ? null : scored.Sum(l => l.GoldAgreement!.Value * l.Pairs) / pairs,
        };
    }

    /// <summary>Batch i goes to people in mode human, and in mode mixed for a <see cref="LabelingSpec.HumanFraction"/> share spread evenly over the batches.</summary>
    public static LabelingMode ModeOf(LabelingSpec labeling, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(labeling);
        return labeling.Mode switch
        {
            LabelingMode.Mixed => Math.Floor((batchIndex + 1) * labeling.HumanFraction) > Math.Floor(batchIndex * labeling.HumanFraction)
                ? LabelingMode.Human
                : LabelingMode.Ai,
            var mode => mode,
        };
    }

    private static Task<LabelBatchResult> LabelAsync(TaskOrchestrationContext context, LabelComparisonsInput input, int index, Core.Artifacts.ArtifactRef batch)
    {
        var mode = ModeOf(input.Labeling, index);
        return mode == LabelingMode.Human
            ? WaitForPeopleAsync(context, input, index, batch)
            : LabelByMachineAsync(context, input, index, batch, mode);
    }

    private static Task<LabelBatchResult> LabelByMachineAsync(TaskOrchestrationContext context, LabelComparisonsInput input, int index, Core.Artifacts.ArtifactRef batch, LabelingMode mode) =>
        context.CallActivityAsync<LabelBatchResult>(
            TaskNames.LabelBatch,
            new LabelBatchInput(input.RunId, index, batch, mode, input.Labeling, input.Seed),
            RetryPolicies.Labeling);

    private static async Task<LabelBatchResult> WaitForPeopleAsync(TaskOrchestrationContext context, LabelComparisonsInput input, int index, Core.Artifacts.ArtifactRef batch)
    {
        var human = input.Labeling.Human;
        var timeout = TimeSpan.FromMinutes(human.TimeoutMinutes);
        for (var waits = 0; ; waits++)
        {
            try
            {
                var submitted = await context.WaitForExternalEvent<HumanLabelsSubmitted>(TaskNames.HumanLabelsEvent(index), timeout);
                return new LabelBatchResult(index, submitted.Labels, submitted.Pairs, $"human:{string.Join(',', submitted.Labelers)}");
            }
            catch (TaskCanceledException)
            {
                switch (human.OnTimeout)
                {
                    case HumanTimeoutPolicy.Remind when waits < human.MaxReminders:
                        continue;
                    case HumanTimeoutPolicy.FallbackToAi:
                        return await LabelByMachineAsync(context, input, index, batch, LabelingMode.Ai);
                    default:
                        throw new TimeoutException($"Batch {index} of run '{input.RunId}' got no human labels within {timeout} ({waits + 1} wait(s), policy {human.OnTimeout}).");
                }
            }
        }
    }
}

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations;

/// <summary>
/// Sample shards → comparison batches → one labeling task per batch (fan-out) → merged preferences
/// (fan-in, in batch order, so the result does not depend on which batch finishes first).
/// Simulated and AI batches are labeled by the <c>LabelBatch</c> activity; human batches wait durably
/// for <see cref="TaskNames.HumanLabelsEvent"/> with a timeout, then follow <see cref="HumanLabelingSpec.OnTimeout"/>
/// (remind the labelers and wait again, fall back to the AI judge, or fail). While people label, the AI judge audits
/// their batch on the same criteria (<see cref="LabelingSpec.AuditHumanBatches"/>); under routing by principle it also
/// labels its own principles on every batch (<see cref="LabelingSpec.AiPrinciples"/>).
/// </summary>
public sealed class LabelComparisons : TaskOrchestrator<LabelComparisonsInput, LabelComparisonsResult>
{
    public override async Task<LabelComparisonsResult> RunAsync(TaskOrchestrationContext context, LabelComparisonsInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        // the same comparisons labeled the same way by an earlier run are reused whole (docs/reuse.md)
        var reuse = input.Reuse is null ? null
            : await context.CallActivityAsync<LabelsReuseLookup>(TaskNames.FindReusableLabels, new FindReusableLabelsInput(input, input.Reuse), RetryPolicies.Activity);
        if (reuse?.Hit is { } reused)
        {
            return reused with { ReusedFrom = reuse.FromRun };
        }

        var prepared = await context.CallActivityAsync<LabelBatches>(
            TaskNames.PrepareLabelBatches,
            new PrepareLabelBatchesInput(input.RunId, input.SampleShards, input.Labeling.BatchSize),
            RetryPolicies.Activity);

        var labeling = prepared.Batches
            .Select((batch, i) => LabelAsync(context, input, i, batch))
            .ToList();
        await FanIn.WhenAllWithProgressAsync(labeling, (done, total) =>
            // counts only: a status listing every batch outgrows Azure Table's 64 KB property at ~230 batches
            context.SetCustomStatus(new RunStatus(PipelineStages.Name(PipelineStage.Labels), done, total)));

        var labels = labeling.SelectMany(t => t.Result).ToList();
        var merged = await context.CallActivityAsync<Core.Artifacts.ArtifactRef>(
            TaskNames.MergePreferences,
            new MergePreferencesInput(input.RunId, input.PriorPreferences, [.. labels.Select(l => new LabelFile(l.BatchIndex, l.Labels))]) { Window = input.Labeling.Window },
            RetryPolicies.Activity);

        var scored = labels.Where(l => l.GoldAgreement is not null).ToList();
        var pairs = scored.Sum(l => l.Pairs);
        var result = new LabelComparisonsResult(merged, prepared.Batches.Count, labels.Sum(l => l.Pairs))
        {
            GoldAgreement = pairs == 0 ? null : scored.Sum(l => l.GoldAgreement!.Value * l.Pairs) / pairs,
            HumanBatchesReused = labels.Count(l => l.ReusedFrom is not null),
        };
        if (reuse?.Key is { } key)
        {
            await ReusableJob.RecordAsync(context, TaskNames.RecordReusableLabels, new RecordReusableLabelsInput(input.RunId, key, result));
        }

        return result;
    }

    /// <summary>
    /// Batch i goes to people in mode human; in mode mixed, every batch when routing by principle (people judge the
    /// principles the AI does not), else a <see cref="LabelingSpec.HumanFraction"/> share spread evenly over the batches.
    /// </summary>
    public static LabelingMode ModeOf(LabelingSpec labeling, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(labeling);
        return labeling.Mode switch
        {
            LabelingMode.Mixed when labeling.RoutesByPrinciple => LabelingMode.Human,
            LabelingMode.Mixed => Math.Floor((batchIndex + 1) * labeling.HumanFraction) > Math.Floor(batchIndex * labeling.HumanFraction)
                ? LabelingMode.Human
                : LabelingMode.Ai,
            var mode => mode,
        };
    }

    /// <summary>The label files of batch <paramref name="index"/> that train the reward model (one, or two when routing by principle).</summary>
    private static async Task<IReadOnlyList<LabelBatchResult>> LabelAsync(TaskOrchestrationContext context, LabelComparisonsInput input, int index, Core.Artifacts.ArtifactRef batch)
    {
        var mode = ModeOf(input.Labeling, index);
        if (mode != LabelingMode.Human)
        {
            return [await LabelByMachineAsync(context, input.Labeling, input, index, batch, mode)];
        }

        // People judge by the principles the AI does not; the AI's share, the audit and the fallback are labeled by the judge.
        var human = input.Labeling.RoutesByPrinciple ? OnlyPrinciples(input.Labeling, ai: false) : input.Labeling;
        var aiShare = input.Labeling.RoutesByPrinciple
            ? LabelByMachineAsync(context, OnlyPrinciples(input.Labeling, ai: true), input, index, batch, LabelingMode.Ai, LabelParts.Ai)
            : null;
        var audit = input.Labeling.AuditHumanBatches
            ? LabelByMachineAsync(context, human, input, index, batch, LabelingMode.Ai, LabelParts.Audit)
            : null;
        var people = await WaitForPeopleAsync(context, input, human, index, batch);
        if (audit is not null)
        {
            await AuditAsync(context, audit, index);
        }

        return aiShare is null ? [people] : [await aiShare, people];
    }

    /// <summary>The labeling spec with the AI judge's principles cut to the AI's share (<paramref name="ai"/>) or to the people's.</summary>
    public static LabelingSpec OnlyPrinciples(LabelingSpec labeling, bool ai)
    {
        ArgumentNullException.ThrowIfNull(labeling);
        var principles = ai ? labeling.Ai.Principles.Only(labeling.AiPrinciples) : labeling.Ai.Principles.Without(labeling.AiPrinciples);
        return labeling with { Ai = labeling.Ai with { Principles = principles } };
    }

    /// <summary>An audit that fails (say, the remote judge is down) costs the report its judge–human figures, never the run.</summary>
    private static async Task AuditAsync(TaskOrchestrationContext context, Task<LabelBatchResult> audit, int index)
    {
        try
        {
            await audit;
        }
        catch (TaskFailedException e)
        {
            context.CreateReplaySafeLogger<LabelComparisons>().LogWarning("Audit of batch {Batch} by the AI judge failed: {Error}", index, e.Message);
        }
    }

    private static Task<LabelBatchResult> LabelByMachineAsync(
        TaskOrchestrationContext context, LabelingSpec labeling, LabelComparisonsInput input, int index, Core.Artifacts.ArtifactRef batch, LabelingMode mode, string? part = null) =>
        context.CallActivityAsync<LabelBatchResult>(
            TaskNames.LabelBatch,
            new LabelBatchInput(input.RunId, index, batch, mode, labeling, input.Seed) { Part = part },
            RetryPolicies.Labeling);

    private static async Task<LabelBatchResult> WaitForPeopleAsync(
        TaskOrchestrationContext context, LabelComparisonsInput input, LabelingSpec labeling, int index, Core.Artifacts.ArtifactRef batch)
    {
        var human = labeling.Human;
        var timeout = TimeSpan.FromMinutes(human.TimeoutMinutes);
        // people's answers to the same comparisons are never asked for twice (docs/reuse.md)
        var reuse = new HumanLabelsReuseInput(input.RunId, index, batch, labeling);
        if (input.Reuse is { HumanLabels: true }
            && await context.CallActivityAsync<LabelBatchResult?>(TaskNames.FindHumanLabels, reuse, RetryPolicies.Activity) is { } stored)
        {
            return stored;
        }

        for (var waits = 0; ; waits++)
        {
            try
            {
                var submitted = await context.WaitForExternalEvent<HumanLabelsSubmitted>(TaskNames.HumanLabelsEvent(index), timeout);
                if (input.Reuse is not null)
                {
                    await ReusableJob.RecordAsync(context, TaskNames.RecordHumanLabels, reuse with { Submitted = submitted });
                }

                return new LabelBatchResult(index, submitted.Labels, submitted.Pairs, $"human:{string.Join(',', submitted.Labelers)}");
            }
            catch (TaskCanceledException)
            {
                switch (human.OnTimeout)
                {
                    case HumanTimeoutPolicy.Remind when waits < human.MaxReminders:
                        await context.CallActivityAsync(
                            TaskNames.RemindLabelers,
                            new RemindLabelersInput(input.RunId, index, waits + 1, human.MaxReminders, labeling.AnnotatorsPerComparison, timeout * (waits + 1), human.NotifyUrlSetting),
                            RetryPolicies.Activity);
                        continue;
                    case HumanTimeoutPolicy.FallbackToAi:
                        return await LabelByMachineAsync(context, labeling, input, index, batch, LabelingMode.Ai);
                    default:
                        throw new TimeoutException($"Batch {index} of run '{input.RunId}' got no human labels within {timeout} ({waits + 1} wait(s), policy {human.OnTimeout}).");
                }
            }
        }
    }
}

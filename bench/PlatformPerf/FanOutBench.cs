using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// Throughput of the real <c>LabelComparisons</c> orchestration (simulated labeler) over sample shards that make
/// exactly <c>batches</c> label batches: one PrepareLabelBatches, <c>batches</c> LabelBatch activities fanned out
/// at once and fanned in with progress, one MergePreferences.
/// </summary>
internal static class FanOutBench
{
    private const int Shards = 2;

    public static async Task<FanOutResult> RunAsync(BenchHost host, Timeline timeline, string repoRoot, int batches, int batchSize, int k, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var runId = $"perf-fanout-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
        const int seed = 1;
        var shards = await SyntheticSamples.WriteAsync(host.Store, repoRoot, runId, batches * batchSize, k, Shards, seed, cancellationToken);
        var input = new LabelComparisonsInput(runId, shards, new LabelingSpec { Mode = LabelingMode.Simulated, BatchSize = batchSize }, seed);
        var instance = $"{runId}:labels";

        var start = BenchClock.Now;
        await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.LabelComparisons, input, new StartOrchestrationOptions(instance), cancellationToken);
        var completed = await Completion.WaitAsync(host.Client, instance, timeout, cancellationToken);
        var total = BenchClock.Now - start;

        var result = completed.ReadOutputAs<LabelComparisonsResult>()!;
        if (result.Batches != batches)
        {
            throw new InvalidOperationException($"Expected {batches} label batches, the orchestration made {result.Batches}.");
        }

        var labels = timeline.Activities(TaskNames.LabelBatch, instance);
        var prepare = timeline.Activities(TaskNames.PrepareLabelBatches, instance)[^1];
        var merge = timeline.Activities(TaskNames.MergePreferences, instance)[^1];
        var (firstLabel, lastLabel) = (labels.Min(s => s.Start), labels.Max(s => s.End));
        var fanOut = lastLabel - firstLabel;
        return new FanOutResult
        {
            RunId = runId,
            Batches = result.Batches,
            BatchSize = batchSize,
            K = k,
            Prompts = batches * batchSize,
            Comparisons = result.Pairs,
            TotalSeconds = total,
            StartSeconds = prepare.Start - start,
            PrepareSeconds = prepare.Seconds,
            ScheduleSeconds = firstLabel - prepare.End,
            FanOutSeconds = fanOut,
            FanInSeconds = merge.Start - lastLabel,
            MergeSeconds = merge.Seconds,
            CompleteSeconds = total - (merge.End - start),
            BatchesPerSecond = result.Batches / total,
            ComparisonsPerSecond = result.Pairs / total,
            FanOutBatchesPerSecond = result.Batches / fanOut,
            LabelBatchExecution = Distribution.OfSeconds([.. labels.Select(s => s.Seconds)]),
            MeanConcurrency = labels.Sum(s => s.Seconds) / fanOut,
            GoldAgreement = result.GoldAgreement,
        };
    }
}

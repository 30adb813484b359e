using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rlhf.Activities.Labeling;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations.Tests.Support;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// <see cref="LabelComparisons"/> with the real activities and the real simulated annotator. Batches are made to
/// finish in opposite orders (a per-batch delay in front of the labeler) and shards are passed in opposite
/// orders: the merged preferences must be byte-identical, and a re-run must be a no-op.
/// </summary>
public sealed class LabelComparisonsTests
{
    private static readonly string[] Phrases =
    [
        " was kind and good to all", " hated the cruel dark storm", " ran ran ran ran ran",
        " saw the sea and the ship", " was calm, bright and gentle", " killed the poor wretched beast",
    ];

    [Fact]
    public async Task MergedPreferencesDoNotDependOnCompletionOrderAndReRunsAreNoOps()
    {
        var (first, firstOrder) = await LabelAsync(shardOrder: [0, 1, 2], slowFirst: false);
        var (second, secondOrder) = await LabelAsync(shardOrder: [2, 1, 0], slowFirst: true);

        Assert.NotEqual(firstOrder, secondOrder); // the batches really finished in different orders
        Assert.Equal(first.Result.Preferences, second.Result.Preferences); // same path, SHA-256 and size
        Assert.Equal(6, first.Result.Batches);
        Assert.Equal(24 * 3, first.Result.Pairs); // C(3,2) pairs of distinct completions per prompt
        Assert.InRange(first.Result.GoldAgreement!.Value, 0.5, 1.0);
        Assert.Equal(first.Result.GoldAgreement, second.Result.GoldAgreement);
        Assert.Equal(first.RerunPreferences, first.Result.Preferences); // write-once re-run found the same bytes
    }

    private sealed record Outcome(LabelComparisonsResult Result, ArtifactRef RerunPreferences);

    private static async Task<(Outcome Outcome, int[] CompletionOrder)> LabelAsync(int[] shardOrder, bool slowFirst)
    {
        var finished = new ConcurrentQueue<int>();
        await using var host = await WorkflowHost.StartAsync(configure: services =>
        {
            services.RemoveAll<IPreferenceLabeler>();
            services.AddSingleton<IPreferenceLabeler>(sp => new DelayedLabeler(new SimulatedLabeler(sp.GetRequiredService<IArtifactStore>(), sp.GetRequiredService<GoldScorer>()), slowFirst, finished));
        });
        var shards = await WriteShardsAsync(host.Store);
        var input = new LabelComparisonsInput("labels-test", [.. shardOrder.Select(i => shards[i])], new LabelingSpec { BatchSize = 4, AnnotatorsPerComparison = 3 }, Seed: 5);

        var result = await RunAsync(host, input);
        var rerun = await RunAsync(host, input);

        var lines = System.Text.Encoding.UTF8.GetString(await host.Store.ReadAsync(result.Preferences.Path)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(result.Pairs, lines.Length);
        var pair = System.Text.Json.Nodes.JsonNode.Parse(lines[0])!.AsObject(); // TRL preference format plus ids and the K-wise ranking
        Assert.NotEqual(pair["chosen"]!.GetValue<string>(), pair["rejected"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(pair["prompt"]!.GetValue<string>()));
        Assert.Equal(3, pair["ranking"]!.AsArray().Count);
        foreach (var line in lines.Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!))
        {
            // the trainer groups a prompt's lines by their ranking and rejects a line its ranking contradicts
            var ranking = line["ranking"]!.AsArray().Select(r => r!.GetValue<int>()).ToList();
            Assert.True(
                ranking.Count == 0 || ranking.IndexOf(line["chosenIndex"]!.GetValue<int>()) < ranking.IndexOf(line["rejectedIndex"]!.GetValue<int>()),
                $"ranking contradicts the vote: {line.ToJsonString()}");
        }

        Assert.StartsWith("labels-test:", pair["id"]!.GetValue<string>(), StringComparison.Ordinal);
        return (new Outcome(result, rerun.Preferences), [.. finished.Take(6)]);
    }

    private static async Task<LabelComparisonsResult> RunAsync(WorkflowHost host, LabelComparisonsInput input)
    {
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.LabelComparisons, input);
        var meta = await host.WaitAsync(id, TimeSpan.FromSeconds(60));
        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        return meta.ReadOutputAs<LabelComparisonsResult>()!;
    }

    /// <summary>24 prompts of the tiny set, 3 distinct completions each, spread round-robin over 3 shards.</summary>
    private static async Task<ArtifactRef[]> WriteShardsAsync(IArtifactStore store)
    {
        var prompts = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "tiny", "prompts.train.jsonl"))
            .Take(24)
            .Select(l => JsonSerializer.Deserialize<DemoPrompt>(l, Core.Json.JsonDefaults.Options)!)
            .ToList();
        var records = prompts.Select((p, i) => new SampleRecord(p.Id, p.Prompt,
            [.. Enumerable.Range(0, 3).Select(k => new SampleCompletion(Phrases[(i + (2 * k)) % Phrases.Length]))])).ToList();
        var shards = new ArtifactRef[3];
        for (var s = 0; s < 3; s++)
        {
            shards[s] = await store.PutAsync(ArtifactLayout.Samples($"runs/labels-test/samples/shard-{s}"),
                Jsonl.Serialize(records.Where((_, i) => i % 3 == s)));
        }

        return shards;
    }

    /// <summary>The real labeler behind a per-batch delay, so batches complete in a chosen order.</summary>
    private sealed class DelayedLabeler(IPreferenceLabeler inner, bool slowFirst, ConcurrentQueue<int> finished) : IPreferenceLabeler
    {
        public LabelingMode Mode => inner.Mode;

        public async Task<LabeledBatch> LabelAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken = default)
        {
            var rank = slowFirst ? 5 - input.BatchIndex : input.BatchIndex;
            await Task.Delay(TimeSpan.FromMilliseconds(150 * rank), cancellationToken);
            var labeled = await inner.LabelAsync(input, items, cancellationToken);
            finished.Enqueue(input.BatchIndex);
            return labeled;
        }
    }
}

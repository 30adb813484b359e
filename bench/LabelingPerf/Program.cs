using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities;
using Rlhf.Bench.LabelingPerf;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

// AI-labels N comparisons through the real LabelComparisons orchestration (prepare batches → one LabelBatch
// activity per batch, fanned out → merge) on the Durable Task in-process engine, with the local constitution
// judge over the committed lexicons; prints one JSON line.
// Usage: labeling-perf [--prompts 1000] [--k 5] [--batch-size 50] [--shards 4] [--repo-root DIR]
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => args[x.i + 1], StringComparer.Ordinal);
int Option(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var (prompts, k, batchSize, shards) = (Option("prompts", 1000), Option("k", 5), Option("batch-size", 50), Option("shards", 4));
var repoRoot = options.TryGetValue("repo-root", out var given) ? given : FindRepoRoot();

// The in-process engine's web host logs every gRPC call at Information; keep stdout to the JSON line.
Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
var root = Directory.CreateTempSubdirectory("labeling-perf-").FullName;
try
{
    var store = new LocalArtifactStore(root);
    await using var host = await DurableTaskTestHost.StartAsync(
        registry => registry.AddRlhfOrchestrationsAndActivities(),
        new DurableTaskTestHostOptions
        {
            LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            ConfigureServices = services =>
            {
                services.AddLogging();
                services.AddSingleton<IArtifactStore>(store);
                services.AddRlhfActivities(configureLabeling: l => l.LexiconDirectory = Path.Combine(repoRoot, "data", "tiny", "lexicons"));
            },
        });
    var shardRefs = await SyntheticBatch.WriteAsync(store, repoRoot, "perf", prompts, k, shards, seed: 7);
    var input = new LabelComparisonsInput("perf", shardRefs, new LabelingSpec { Mode = LabelingMode.Ai, BatchSize = batchSize }, Seed: 7);

    var clock = Stopwatch.StartNew();
    var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.LabelComparisons, input);
    OrchestrationMetadata meta;
    do
    {
        await Task.Delay(20);
        meta = (await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!;
    }
    while (meta.RuntimeStatus is OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running);
    var seconds = clock.Elapsed.TotalSeconds;
    if (meta.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
    {
        Console.Error.WriteLine($"LabelComparisons ended {meta.RuntimeStatus}: {meta.FailureDetails}");
        return 1;
    }

    var result = meta.ReadOutputAs<LabelComparisonsResult>()!;
    var comparisons = 0;
    var ties = 0;
    for (var b = 0; b < result.Batches; b++)
    {
        var summary = await store.ReadJsonAsync<Rlhf.Activities.Labeling.Judges.JudgeBatchSummary>(Rlhf.Activities.Labeling.Judges.JudgeLayout.Summary("perf", b));
        comparisons += summary.Comparisons;
        ties += summary.Ties;
    }

    Console.WriteLine(JsonSerializer.Serialize(new
    {
        bench = "labeling/constitution_fan_out",
        seconds = Math.Round(seconds, 3),
        comparisons,
        comparisonsPerSecond = Math.Round(comparisons / seconds, 1),
        preferencePairs = result.Pairs,
        ties,
        batches = result.Batches,
        batchSizePrompts = batchSize,
        comparisonsPerBatch = comparisons / Math.Max(1, result.Batches),
        cores = Environment.ProcessorCount,
    }));
    return 0;
}
finally
{
    Directory.Delete(root, recursive: true);
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("Pipeline.sln not found above the executable; pass --repo-root.");
}

using System.Text.Json;
using Rlhf.Activities.Labeling;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// Sample shards in the trainer's format without running the trainer: real prompts (the demo prompt set),
/// K completions each cut from the demo corpus, written where and as the <c>sample</c> verb writes them —
/// <c>runs/{runId}/samples/shard-{i}/samples.jsonl</c> (lines of <see cref="SampleRecord"/>, prompt i in shard
/// i mod shards) and its <c>manifest.json</c> with the job spec <see cref="JobSpecs.Sample"/> would give.
/// </summary>
internal static class SyntheticSamples
{
    /// <summary>Writes the shards and returns the references of their <c>samples.jsonl</c>, in shard order.</summary>
    public static async Task<IReadOnlyList<ArtifactRef>> WriteAsync(IArtifactStore store, string repoRoot, string runId, int prompts, int k, int shards, int seed, CancellationToken cancellationToken = default)
    {
        var promptLines = ReadPrompts(repoRoot, prompts);
        var words = File.ReadAllText(Path.Combine(repoRoot, "data", "tiny", "corpus.txt")).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var random = new Random(seed);
        var records = promptLines.Select(p => new SampleRecord(p.Id, p.Prompt, [.. Enumerable.Range(0, k).Select(_ => Completion(words, random))])).ToList();

        var input = new CollectSamplesInput(runId, store.Location, $"runs/{runId}/sft/model", "datasets/demo/prompts.train.jsonl",
            new SamplingSpec { K = k, Shards = shards }, new ComputeSpec(), seed);
        var refs = new List<ArtifactRef>();
        for (var shard = 0; shard < shards; shard++)
        {
            var job = JobSpecs.Sample(input, shard);
            var lines = records.Where((_, i) => i % shards == shard).ToList();
            var samples = await store.PutAsync(ArtifactLayout.Samples(job.Output), Jsonl.Serialize(lines), cancellationToken);
            var manifest = ManifestWriter.Build(
                step: job.Output.Split('/')[^1],
                codeVersion: "platform-perf-synthetic",
                inputs: [],
                outputs: [samples],
                spec: JsonSerializer.SerializeToNode(job, JsonDefaults.Options),
                metrics: new Dictionary<string, double> { ["sample/response_tokens"] = lines.Average(l => l.Completions.Average(c => c.Tokens)) },
                runId: runId);
            await ManifestWriter.WriteAsync(store, job.Output, manifest, cancellationToken);
            refs.Add(samples);
        }

        return refs;
    }

    /// <summary>The first <paramref name="count"/> prompts of the demo set (the tiny set when the demo data is not fetched), cycled with suffixed ids if short.</summary>
    private static List<(string Id, string Prompt)> ReadPrompts(string repoRoot, int count)
    {
        var file = new[] { "full", "tiny" }.Select(d => Path.Combine(repoRoot, "data", d, "prompts.train.jsonl")).First(File.Exists);
        var source = File.ReadLines(file).Where(l => l.Trim().Length > 0).Select(l =>
        {
            using var line = JsonDocument.Parse(l);
            return (Id: line.RootElement.GetProperty("id").GetString()!, Prompt: line.RootElement.GetProperty("prompt").GetString()!);
        }).Take(count).ToList();
        return [.. Enumerable.Range(0, count).Select(i => i < source.Count
            ? source[i]
            : (Id: $"{source[i % source.Count].Id}-{i / source.Count}", source[i % source.Count].Prompt))];
    }

    /// <summary>A run of 4–24 consecutive corpus words; about a quarter end with EOS, as sampled completions do.</summary>
    private static SampleCompletion Completion(string[] words, Random random)
    {
        var length = random.Next(4, 25);
        var start = random.Next(0, words.Length - length);
        return new SampleCompletion(string.Join(' ', words, start, length), length, random.NextDouble() < 0.25);
    }
}

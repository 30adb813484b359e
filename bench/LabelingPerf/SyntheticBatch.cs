using System.Text.Json;
using Rlhf.Activities.Labeling;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Bench.LabelingPerf;

/// <summary>
/// Sample shards in the trainer's format: the demo prompts (train then held-out, cycled with suffixed ids when
/// more are asked for), K completions each cut from the demo corpus at seeded random offsets (3–20 words).
/// </summary>
internal static class SyntheticBatch
{
    public static async Task<IReadOnlyList<ArtifactRef>> WriteAsync(IArtifactStore store, string repoRoot, string runId, int prompts, int k, int shards, int seed)
    {
        var tiny = Path.Combine(repoRoot, "data", "tiny");
        var source = File.ReadLines(Path.Combine(tiny, "prompts.train.jsonl")).Concat(File.ReadLines(Path.Combine(tiny, "prompts.heldout.jsonl")))
            .Where(l => l.Trim().Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Id: e.GetProperty("id").GetString()!, Prompt: e.GetProperty("prompt").GetString()!))
            .ToList();
        var words = File.ReadAllText(Path.Combine(tiny, "corpus.txt")).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var random = new Random(seed);
        var records = Enumerable.Range(0, prompts).Select(i =>
        {
            var (id, prompt) = source[i % source.Count];
            var completions = Enumerable.Range(0, k).Select(_ =>
            {
                var start = random.Next(words.Length - 20);
                return new SampleCompletion(" " + string.Join(' ', words.AsSpan(start, random.Next(3, 21)).ToArray()));
            });
            return new SampleRecord(i < source.Count ? id : $"{id}-{i / source.Count}", prompt, [.. completions]);
        }).ToList();

        var refs = new List<ArtifactRef>();
        for (var shard = 0; shard < shards; shard++)
        {
            var lines = records.Where((_, i) => i % shards == shard);
            refs.Add(await store.PutAsync(ArtifactLayout.Samples($"runs/{runId}/samples/shard-{shard}"), Jsonl.Serialize(lines)));
        }

        return refs;
    }
}

using System.Text.Json.Nodes;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;

namespace Rlhf.TrainerJob.Tests.Verbs;

public sealed class SampleVerbTests : IDisposable
{
    private const string PolicyPath = "models/tiny";
    private const string PromptsPath = "data/prompts.jsonl";
    private readonly TrainerWorkspace _workspace = new(corpusChars: 1000);
    private readonly List<string> _promptIds;

    public SampleVerbTests()
    {
        // A random (untrained) byte-level policy: sampling still has to be exact about K, shards and seeds.
        torch.random.manual_seed(11);
        using var model = new Gpt(new GptConfig(new ByteTokenizer().VocabSize, NPositions: 48, NEmbd: 16, NLayer: 1, NHead: 2));
        var folder = Path.Combine(_workspace.Root, "policy");
        ModelIO.Save(folder, model, new ByteTokenizer());
        foreach (var file in Directory.GetFiles(folder))
        {
            _workspace.Store.PutFileAsync($"{PolicyPath}/{Path.GetFileName(file)}", file).GetAwaiter().GetResult();
        }

        var lines = File.ReadLines(TrainerWorkspace.FindRepoFile("data/tiny/prompts.train.jsonl")).Take(7).ToList();
        _workspace.Store.PutAsync(PromptsPath, System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")).GetAwaiter().GetResult();
        _promptIds = [.. lines.Select(l => JsonNode.Parse(l)!["id"]!.GetValue<string>())];
    }

    [Fact]
    public async Task SamplesKCompletionsPerPromptDeterministicallyForASeed()
    {
        var first = await SampleAsync("runs/s/a", seed: 5);
        var again = await SampleAsync("runs/s/b", seed: 5);
        var otherSeed = await SampleAsync("runs/s/c", seed: 6);

        Assert.Equal(_promptIds, first.Select(l => l["promptId"]!.GetValue<string>()));
        foreach (var line in first)
        {
            var completions = line["completions"]!.AsArray();
            Assert.Equal(3, completions.Count);
            foreach (var completion in completions)
            {
                var tokens = completion!["tokens"]!.GetValue<int>();
                var eos = completion["endedWithEos"]!.GetValue<bool>();
                Assert.InRange(tokens, 1, 12);
                Assert.True(eos || tokens == 12, "a completion that did not end with EOS used all maxNewTokens");
                Assert.NotNull(completion["text"]!.GetValue<string>());
            }
        }

        Assert.Equal(Serialize(first), Serialize(again));
        Assert.NotEqual(Serialize(first), Serialize(otherSeed));
        var manifest = await _workspace.ReadJsonAsync("runs/s/a/manifest.json");
        Assert.Equal(4, manifest["inputs"]!.AsArray().Count); // 3 policy files + prompts
    }

    [Fact]
    public async Task ShardsPartitionThePromptsAndReproduceTheUnshardedSamples()
    {
        var all = await SampleAsync("runs/sh/all", seed: 9, limit: 6);
        var shard0 = await SampleAsync("runs/sh/0", seed: 9, limit: 6, shard: 0, shards: 2);
        var shard1 = await SampleAsync("runs/sh/1", seed: 9, limit: 6, shard: 1, shards: 2);

        Assert.Equal(_promptIds.Take(6), all.Select(l => l["promptId"]!.GetValue<string>()));
        Assert.Equal([_promptIds[0], _promptIds[2], _promptIds[4]], shard0.Select(l => l["promptId"]!.GetValue<string>()));
        Assert.Equal([_promptIds[1], _promptIds[3], _promptIds[5]], shard1.Select(l => l["promptId"]!.GetValue<string>()));
        var merged = shard0.Concat(shard1).OrderBy(l => _promptIds.IndexOf(l["promptId"]!.GetValue<string>()));
        Assert.Equal(Serialize(all), Serialize(merged));
    }

    [Fact]
    public async Task ShardOutsideTheShardCountIsRejected()
    {
        var spec = _workspace.Spec("sample", "bad-shard", "runs/bad/sample", Inputs(), new JsonObject { ["shard"] = 2, ["shards"] = 2 });

        var (exitCode, _, error) = await _workspace.RunInProcessAsync("sample", _workspace.WriteSpec(spec, "bad-shard"));

        Assert.Equal(2, exitCode);
        Assert.Contains("params.shard must be in [0, shards)", error, StringComparison.Ordinal);
    }

    private async Task<List<JsonObject>> SampleAsync(string output, int seed, int? limit = null, int shard = 0, int shards = 1)
    {
        var parameters = new JsonObject { ["k"] = 3, ["maxNewTokens"] = 12, ["temperature"] = 1.0, ["topK"] = 20, ["shard"] = shard, ["shards"] = shards };
        if (limit is not null)
        {
            parameters["limit"] = limit;
        }

        var spec = _workspace.Spec("sample", output.Replace('/', '-'), output, Inputs(), parameters, seed: seed);
        var (exitCode, stdout, error) = await _workspace.RunInProcessAsync("sample", _workspace.WriteSpec(spec, output.Replace('/', '-')));
        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{error}");
        return await _workspace.ReadJsonLinesAsync($"{output}/samples.jsonl");
    }

    private static JsonObject Inputs() => new() { ["policy"] = PolicyPath, ["prompts"] = PromptsPath };

    private static string Serialize(IEnumerable<JsonObject> lines) => string.Join('\n', lines.Select(l => l.ToJsonString()));

    public void Dispose() => _workspace.Dispose();
}

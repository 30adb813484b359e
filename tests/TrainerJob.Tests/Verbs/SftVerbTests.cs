using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tokenizers;

namespace Rlhf.TrainerJob.Tests.Verbs;

public sealed class SftVerbTests : IDisposable
{
    private readonly TrainerWorkspace _workspace = new();

    /// <summary>Small enough for ~5 s on 2 cores, big enough that held-out loss clearly falls.</summary>
    internal static JsonObject TinyParams(int steps = 60) => new()
    {
        ["steps"] = steps,
        ["batchSize"] = 8,
        ["blockSize"] = 32,
        ["learningRate"] = 3e-3,
        ["minLr"] = 3e-4,
        ["warmupSteps"] = 5,
        ["evalEvery"] = 20,
        ["evalWindows"] = 16,
        ["model"] = new JsonObject { ["n_layer"] = 1, ["n_head"] = 2, ["n_embd"] = 32, ["n_positions"] = 32 },
    };

    [Fact]
    public async Task SftProcessPublishesModelManifestAndFallingHeldoutLoss()
    {
        var spec = _workspace.Spec("sft", "sft-smoke", "runs/r1/sft", new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath }, TinyParams());

        var (exitCode, output, error) = await _workspace.RunProcessAsync("sft", _workspace.WriteSpec(spec, "sft"));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("[sft] step 60/60 (100%) loss=", output, StringComparison.Ordinal);
        var manifest = await _workspace.Store.ReadJsonAsync<StepManifest>("runs/r1/sft/manifest.json");
        Assert.Equal("sft", manifest.Step);
        Assert.Equal("r1", manifest.RunId);
        Assert.Equal(TrainerWorkspace.CorpusPath, Assert.Single(manifest.Inputs).Path);
        Assert.Equal(
            ["runs/r1/sft/metrics.jsonl", "runs/r1/sft/model/config.json", "runs/r1/sft/model/model.safetensors", "runs/r1/sft/model/rlhf_tokenizer.json"],
            manifest.Outputs.Select(o => o.Path));
        foreach (var reference in manifest.Inputs.Concat(manifest.Outputs))
        {
            var (sha256, bytes) = await ContentHash.Sha256FileAsync(_workspace.Store.GetFilePath(reference.Path));
            Assert.Equal((reference.Sha256, reference.Bytes), (sha256, bytes));
        }

        var status = await _workspace.ReadJsonAsync("runs/r1/sft/status.json");
        Assert.Equal("succeeded", status["state"]!.GetValue<string>());
        Assert.Equal(1, status["attempt"]!.GetValue<int>());
        Assert.Equal(60, status["step"]!.GetValue<long>());

        var heldout = (await _workspace.ReadJsonLinesAsync("runs/r1/sft/metrics.jsonl"))
            .Where(line => line.ContainsKey("sft/heldout_loss"))
            .Select(line => (Step: line["step"]!.GetValue<long>(), Loss: line["sft/heldout_loss"]!.GetValue<double>()))
            .ToList();
        Assert.Equal([0L, 20, 40, 60], heldout.Select(h => h.Step));
        Assert.True(heldout[^1].Loss < heldout[0].Loss - 1.0, $"held-out loss {string.Join(" -> ", heldout.Select(h => h.Loss))}");
        Assert.Equal(manifest.Metrics["sft/heldout_loss"], heldout[^1].Loss);
    }

    [Fact]
    public async Task WordsTokenizerIsBuiltFromTheCorpusAndSavedWithTheModel()
    {
        var parameters = TinyParams(steps: 40);
        parameters["model"]!["tokenizer"] = "words";
        parameters["model"]!["vocabWords"] = 50;
        var spec = _workspace.Spec("sft", "sft-words", "runs/w/sft", new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath }, parameters);

        var (exitCode, output, error) = await _workspace.RunInProcessAsync("sft", _workspace.WriteSpec(spec, "words"));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var loaded = ModelIO.Load(Path.GetDirectoryName(_workspace.Store.GetFilePath("runs/w/sft/model/config.json"))!);
        using var _ = loaded.Model;
        var tokenizer = Assert.IsType<WordVocabTokenizer>(loaded.Tokenizer);
        Assert.Equal(50, tokenizer.Words.Count);
        Assert.Equal(258 + 50, loaded.Model.Config.VocabSize);
        Assert.Contains(" the", tokenizer.Words);                                  // the commonest word of the corpus, with its space
        var corpus = await File.ReadAllTextAsync(_workspace.Store.GetFilePath(TrainerWorkspace.CorpusPath));
        Assert.InRange(tokenizer.Encode(corpus).Length, 0.75 * corpus.Length, 0.85 * corpus.Length);      // 0.80 of the bytes, by hand with the same 50 words
    }

    [Fact]
    public async Task InvalidSpecExitsTwoNamingTheFieldAndWritesNothing()
    {
        var parameters = TinyParams();
        parameters["learningRate"] = -1;
        var spec = _workspace.Spec("sft", "sft-bad", "runs/bad/sft", new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath }, parameters);

        var (exitCode, output, error) = await _workspace.RunProcessAsync("sft", _workspace.WriteSpec(spec, "bad"));

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("params.learningRate must be > 0", error, StringComparison.Ordinal);
        Assert.Empty(await _workspace.ListAsync("runs/"));
    }

    [Theory]
    [InlineData("""{"steps":0}""", null, "params.steps must be > 0")]
    [InlineData("""{"learningRat":0.1}""", null, "params.learningRat is not a parameter")]
    [InlineData("""{"model":{"n_layers":2}}""", null, "params.model.n_layers is not a parameter")]
    [InlineData("""{"model":{"n_embd":30,"n_head":4}}""", null, "params.model.n_embd must be > 0 and divisible by n_head")]
    [InlineData("""{"batchSize":"eight"}""", null, "params.batchSize has the wrong type")]
    [InlineData("""{"model":{"tokenizer":"words","vocabWords":0}}""", null, "params.model.vocabWords must be in [1, 60000]")]
    [InlineData("""{}""", "none", "inputs needs exactly one of corpus (text) and pairs")]
    [InlineData("""{}""", "both", "inputs needs exactly one of corpus (text) and pairs")]
    [InlineData("""{}""", "missing", "inputs.corpus names 'data/missing.txt', which does not exist")]
    public async Task InvalidParamsAndInputsAreRejectedBeforeAnythingIsWritten(string parameters, string? corpus, string expected)
    {
        var inputs = corpus switch
        {
            "none" => new JsonObject(),
            "missing" => new JsonObject { ["corpus"] = "data/missing.txt" },
            "both" => new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath, ["pairs"] = TrainerWorkspace.CorpusPath },
            _ => new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath },
        };
        var spec = _workspace.Spec("sft", "sft-bad", "runs/bad/sft", inputs, JsonNode.Parse(parameters)!.AsObject());

        var (exitCode, _, error) = await _workspace.RunInProcessAsync("sft", _workspace.WriteSpec(spec, "bad"));

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Empty(await _workspace.ListAsync("runs/"));
    }

    [Fact]
    public async Task OnPromptResponsePairsTheModelLearnsTheResponsesButNeverThePrompts()
    {
        // The same text twice: as pairs (SL-CAI's revisions) and as a plain corpus. Trained on the corpus, the model
        // learns the fixed prompt too; trained on the pairs, the prompt's bytes are never a target, so it stays unlearnt
        // while the responses are learnt as well as from the corpus.
        const string prompt = "QZX VKJ";
        var responses = new[] { " the whale swam.", " the sea was calm.", " the ship sailed." };
        var pairs = Enumerable.Range(0, 240).Select(i => (Prompt: prompt, Response: responses[i % 3])).ToList();
        var pairsPath = await PutAsync("data/pairs.jsonl", string.Concat(pairs.Select(p => System.Text.Json.JsonSerializer.Serialize(new { prompt = p.Prompt, response = p.Response }) + "\n")));
        var corpusPath = await PutAsync("data/pairs-as-text.txt", string.Join("\n\n", pairs.Select(p => p.Prompt + p.Response)));
        var parameters = TinyParams(steps: 80);
        parameters["heldoutFraction"] = 0.05;

        foreach (var (name, input, path) in new[] { ("pairs", "pairs", pairsPath), ("text", "corpus", corpusPath) })
        {
            var spec = _workspace.Spec("sft", $"sft-{name}", $"runs/{name}/sft", new JsonObject { [input] = path }, parameters.DeepClone().AsObject());
            var (exitCode, output, error) = await _workspace.RunInProcessAsync("sft", _workspace.WriteSpec(spec, name));
            Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        }

        var (pairsPrompt, pairsResponse) = Nll("runs/pairs/sft/model", prompt, responses[0]);
        var (textPrompt, textResponse) = Nll("runs/text/sft/model", prompt, responses[0]);
        var figures = $"prompt: pairs {pairsPrompt:F3}, text {textPrompt:F3}; response: pairs {pairsResponse:F3}, text {textResponse:F3} nats per byte";
        // Measured: prompt pairs 5.82 (an untrained byte model: ln 256 = 5.55), text 1.29; response pairs 1.53, text 1.69.
        Assert.True(pairsPrompt > 4.5 && textPrompt < 2.5, figures);
        Assert.True(pairsResponse < 2.5 && textResponse < 2.5, figures);
    }

    [Fact]
    public async Task APairsLineWithoutAResponseExitsTwoNamingTheLine()
    {
        var pairs = await PutAsync("data/bad-pairs.jsonl", "{\"prompt\":\"a\",\"response\":\"b\"}\n{\"prompt\":\"a\"}\n");
        var spec = _workspace.Spec("sft", "sft-bad-pairs", "runs/bad-pairs/sft", new JsonObject { ["pairs"] = pairs }, TinyParams());

        var (exitCode, _, error) = await _workspace.RunInProcessAsync("sft", _workspace.WriteSpec(spec, "bad-pairs"));

        Assert.Equal(2, exitCode);
        Assert.Contains("inputs.pairs line 2: expected {\"prompt\": string, \"response\": string}", error, StringComparison.Ordinal);
        Assert.False(await _workspace.Store.ExistsAsync("runs/bad-pairs/sft/manifest.json"));
    }

    private async Task<string> PutAsync(string path, string text)
    {
        await _workspace.Store.PutAsync(path, System.Text.Encoding.UTF8.GetBytes(text));
        return path;
    }

    /// <summary>Mean next-token NLL of the prompt's bytes after its first and of the response's after the prompt, in nats per token.</summary>
    private (double Prompt, double Response) Nll(string prefix, string prompt, string response)
    {
        var (model, tokenizer) = ModelIO.Load(Path.GetDirectoryName(_workspace.Store.GetFilePath($"{prefix}/config.json"))!);
        using var _ = model;
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        model.eval();
        var (p, r) = (tokenizer.Encode(prompt), tokenizer.Encode(response));
        var ids = p.Concat(r).Select(i => (long)i).ToArray();
        var logProbs = TorchSharp.torch.nn.functional.log_softmax(model.forward(TorchSharp.torch.tensor(ids).unsqueeze(0)), -1)[0]; // (T, V)
        var nll = Enumerable.Range(1, ids.Length - 1).Select(t => -logProbs[t - 1, ids[t]].item<float>()).ToArray();  // nll[t - 1] is token t's
        return (nll[..(p.Length - 1)].Average(), nll[(p.Length - 1)..].Average());
    }

    [Fact]
    public async Task VerbMustMatchTheSpecAndBeKnown()
    {
        var spec = _workspace.Spec("sft", "sft-x", "runs/x/sft", new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath }, TinyParams());
        var file = _workspace.WriteSpec(spec, "x");

        var (mismatch, _, mismatchError) = await _workspace.RunInProcessAsync("sample", file);
        var (unknown, _, unknownError) = await _workspace.RunInProcessAsync("pretrain", file);
        var (unreadable, _, unreadableError) = await _workspace.RunInProcessAsync("sft", Path.Combine(_workspace.Root, "nope.json"));

        Assert.Equal((2, 2, 2), (mismatch, unknown, unreadable));
        Assert.Contains("verb in the spec is 'sft' but the command line says 'sample'", mismatchError, StringComparison.Ordinal);
        Assert.Contains("verb 'pretrain' is unknown", unknownError, StringComparison.Ordinal);
        Assert.Contains("--spec cannot be read", unreadableError, StringComparison.Ordinal);
    }

    public void Dispose() => _workspace.Dispose();
}

using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Training;

namespace Rlhf.TrainerJob.Tests.Verbs;

public sealed class PpoVerbTests(PpoFixture fixture) : IClassFixture<PpoFixture>
{
    private static readonly string[] LoggedKeys =
    [
        "objective/kl", "objective/kl_k3", "objective/entropy", "objective/scores", "objective/rlhf_reward", "objective/non_score_reward",
        "objective/kl_coef", "objective/gold", "policy/approxkl", "policy/clipfrac", "loss/policy", "loss/value", "loss/ptx",
        "val/explained_var", "val/ratio", "val/clipfrac", "response/length_mean", "response/eos_fraction",
    ];

    private readonly TrainerWorkspace _workspace = fixture.Workspace;

    /// <summary>Small PPO settings for the tiny byte-level policy: 16 episodes of ≤ 24 tokens per iteration.</summary>
    internal static JsonObject TinyParams(int iterations) => new()
    {
        ["iterations"] = iterations,
        ["rolloutBatchSize"] = 16,
        ["numMiniBatches"] = 2,
        ["ppoEpochs"] = 4,
        ["maxPromptTokens"] = 16,
        ["maxNewTokens"] = 24,
        ["learningRate"] = 3e-4,
        ["initKlCoef"] = 0.05,
        ["normalizeScores"] = false,
    };

    internal static JsonObject Inputs(bool pretrain = false, bool lexicons = false)
    {
        var inputs = new JsonObject
        {
            ["policy"] = PpoFixture.PolicyPath,
            ["rewardModel"] = PpoFixture.RewardModelPath,
            ["prompts"] = PpoFixture.PromptsPath,
        };
        if (pretrain)
        {
            inputs["pretrain"] = TrainerWorkspace.CorpusPath;
        }

        if (lexicons)
        {
            inputs["lexicons"] = PpoFixture.LexiconsPath;
        }

        return inputs;
    }

    [Fact]
    public async Task PpoProcessPublishesLoadablePolicyLogsEveryKeyAdaptsKlAndIsDeterministic()
    {
        // A tiny KL target and a short horizon: β must grow whenever the measured KL exceeds the target.
        var parameters = TinyParams(6);
        parameters["ptxCoef"] = 0.5;
        parameters["ptxBatchSize"] = 4;
        parameters["klTarget"] = 0.05;
        parameters["klHorizon"] = 100;
        parameters["missingEosPenalty"] = 1.0;
        var first = _workspace.WriteSpec(_workspace.Spec("ppo", "ppo-a", "runs/a/ppo", Inputs(pretrain: true, lexicons: true), parameters), "ppo-a");
        var second = _workspace.WriteSpec(_workspace.Spec("ppo", "ppo-b", "runs/b/ppo", Inputs(pretrain: true, lexicons: true), parameters.DeepClone().AsObject()), "ppo-b");

        var (exitCode, output, error) = await _workspace.RunProcessAsync("ppo", first);
        var repeat = await _workspace.RunProcessAsync("ppo", second);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.True(repeat.ExitCode == 0, repeat.Error);
        var manifest = await _workspace.Store.ReadJsonAsync<StepManifest>("runs/a/ppo/manifest.json");
        var outputs = manifest.Outputs.Select(o => o.Path).ToList();
        Assert.Contains("runs/a/ppo/model/model.safetensors", outputs);
        Assert.Contains("runs/a/ppo/value/value.safetensors", outputs);
        using (var policy = ModelIO.Load(fixture.LocalFolder("runs/a/ppo/model")).Model)
        {
            Assert.Equal(PpoFixture.NPositions, policy.Config.NPositions);
        }

        var lines = await _workspace.ReadJsonLinesAsync("runs/a/ppo/metrics.jsonl");
        Assert.Equal([1L, 2, 3, 4, 5, 6], lines.Select(l => l["step"]!.GetValue<long>()));
        foreach (var key in LoggedKeys)
        {
            Assert.All(lines, line => Assert.True(line.ContainsKey(key), $"step {line["step"]} lacks {key}"));
        }

        for (var i = 0; i + 1 < lines.Count; i++)
        {
            var (kl, coef, next) = (Value(lines[i], "objective/kl"), Value(lines[i], "objective/kl_coef"), Value(lines[i + 1], "objective/kl_coef"));
            Assert.True(kl > 0.05 ? next > coef : next < coef, $"iteration {i + 1}: kl {kl} vs target 0.05, coef {coef} -> {next}");
        }

        Assert.Equal(await ShaAsync("runs/a/ppo/model/model.safetensors"), await ShaAsync("runs/b/ppo/model/model.safetensors"));
        Assert.Equal(await ShaAsync("runs/a/ppo/metrics.jsonl"), await ShaAsync("runs/b/ppo/metrics.jsonl"));
    }

    [Fact]
    public async Task PpoRaisesTheRewardModelScoreWhileKlStaysBounded()
    {
        // A fixed β = 0.1. Every response is scored with EOS last (RewardModel.SampledBatch), so the fixture's score
        // moves only with the target byte's share (ending on the target byte no longer pays): over 20 iterations it
        // rises by ~0.9 while the sequence KL stays below 10 nats (~8).
        var parameters = TinyParams(20);
        parameters["klControl"] = "fixed";
        parameters["initKlCoef"] = 0.1;
        var spec = _workspace.WriteSpec(_workspace.Spec("ppo", "ppo-learn", "runs/learn/ppo", Inputs(), parameters), "ppo-learn");

        var (exitCode, output, error) = await _workspace.RunProcessAsync("ppo", spec, TimeSpan.FromSeconds(120));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var lines = await _workspace.ReadJsonLinesAsync("runs/learn/ppo/metrics.jsonl");
        var scores = lines.Select(l => Value(l, "objective/scores")).ToList();
        var kls = lines.Select(l => Value(l, "objective/kl")).ToList();
        var before = scores.Take(5).Average();
        var after = scores.TakeLast(5).Average();
        var trace = string.Join(" ", scores.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(after > before + 0.75, $"score {before:F3} -> {after:F3}: {trace}; kl {string.Join(" ", kls)}");
        Assert.True(kls.Max() < 10, $"kl {string.Join(" ", kls)}");

        // The published policy, sampled afresh, writes the rewarded byte far more often than the SFT policy.
        var (sftShare, ppoShare) = (TargetShare(PpoFixture.PolicyPath), TargetShare("runs/learn/ppo/model"));
        Assert.True(ppoShare > sftShare + 0.03, $"share of '{PpoFixture.TargetByte}': SFT {sftShare:F3}, PPO {ppoShare:F3}");
    }

    private double TargetShare(string prefix) => TargetShare(fixture, prefix);

    /// <summary>The share of the rewarded byte in 32 fresh samples (24 tokens after "It is a") of the model at <paramref name="prefix"/>.</summary>
    internal static double TargetShare(PpoFixture fixture, string prefix)
    {
        var (model, tokenizer) = ModelIO.Load(fixture.LocalFolder(prefix));
        using var _ = model;
        using var generator = new TorchSharp.torch.Generator(11);
        var prompts = Enumerable.Repeat(tokenizer.Encode("It is a"), 32).ToList();
        var result = Sampler.Generate(model, prompts, new SamplingOptions(24), tokenizer.EosId, tokenizer.PadId, generator);
        var tokens = result.ResponseTokens.data<long>().ToArray();
        var mask = result.ResponseMask.data<long>().ToArray();
        return tokens.Where((t, i) => mask[i] == 1 && t == PpoFixture.TargetByte).Count() / (double)mask.Sum();
    }

    private static double Value(JsonObject line, string key) => line[key]!.GetValue<double>();

    private async Task<string> ShaAsync(string path) => (await ContentHash.Sha256FileAsync(_workspace.Store.GetFilePath(path))).Sha256;

    [Theory]
    [InlineData("gold")]
    [InlineData("last")]
    public async Task HeldoutChecksRunEveryNIterationsAndTheKeptPolicyIsTheBestChecks(string keepBest)
    {
        var parameters = TinyParams(6);
        parameters["heldoutEvery"] = 3;
        parameters["heldoutPrompts"] = 8;
        parameters["keepBest"] = keepBest;
        var inputs = Inputs(lexicons: true);
        inputs["heldout"] = PpoFixture.PromptsPath;
        var spec = _workspace.WriteSpec(_workspace.Spec("ppo", $"ppo-check-{keepBest}", $"runs/check-{keepBest}/ppo", inputs, parameters), $"ppo-check-{keepBest}");

        var (exitCode, output, error) = await _workspace.RunProcessAsync("ppo", spec);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var log = await _workspace.Store.ReadJsonAsync<HeldoutLog>($"runs/check-{keepBest}/ppo/heldout.json");
        Assert.Equal([0L, 3L, 6L], log.Points.Select(p => p.Iteration));
        Assert.Equal(0, log.Points[0].Kl, 4);                                               // check 0 is the reference itself
        Assert.All(log.Points, p => Assert.NotNull(p.Gold));
        var expected = keepBest == "last" ? 6 : log.Points.MaxBy(p => p.Gold)!.Iteration;
        Assert.Equal(expected, log.KeptIteration);
        var logged = (await _workspace.ReadJsonLinesAsync($"runs/check-{keepBest}/ppo/metrics.jsonl")).Where(l => l.ContainsKey("heldout/kl")).ToList();
        Assert.Equal([0L, 3L, 6L], logged.Select(l => l["step"]!.GetValue<long>()));
        Assert.Equal(log.Points.Select(p => p.Gold!.Value), logged.Select(l => l["heldout/gold"]!.GetValue<double>()));
    }

    [Fact]
    public async Task HeldoutChecksWithoutHeldoutPromptsExitTwoNamingTheInput()
    {
        var parameters = TinyParams(2);
        parameters["heldoutEvery"] = 1;
        var spec = _workspace.WriteSpec(_workspace.Spec("ppo", "ppo-no-heldout", "runs/no-heldout/ppo", Inputs(), parameters), "ppo-no-heldout");

        var (exitCode, _, error) = await _workspace.RunProcessAsync("ppo", spec);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{error}");
        Assert.Contains("inputs.heldout", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUncertaintyPenaltyNeedsARewardEnsemble()
    {
        var parameters = TinyParams(2);
        parameters["uncertaintyPenalty"] = 0.5;
        var spec = _workspace.WriteSpec(_workspace.Spec("ppo", "ppo-penalty", "runs/penalty/ppo", Inputs(), parameters), "ppo-penalty");

        var (exitCode, _, error) = await _workspace.RunProcessAsync("ppo", spec);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{error}");
        Assert.Contains("params.uncertaintyPenalty", error, StringComparison.Ordinal);
    }
}

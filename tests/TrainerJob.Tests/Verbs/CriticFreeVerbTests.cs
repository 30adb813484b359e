using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Training;

namespace Rlhf.TrainerJob.Tests.Verbs;

/// <summary>The <c>grpo</c> and <c>rloo</c> processes on the PPO fixture: tiny SFT policy, a reward model that pays for the byte 'e'.</summary>
public sealed class CriticFreeVerbTests(PpoFixture fixture) : IClassFixture<PpoFixture>
{
    private static readonly string[] TrlKeys =
    [
        "reward", "reward_std", "reward_std_within_group", "frac_reward_zero_std", "entropy", "completions/mean_length",
        "completions/clipped_ratio", "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean", "loss/policy",
        "rewards/rm/mean", "policy/grad_norm", "policy/updates", "objective/gold",
    ];

    private readonly TrainerWorkspace _workspace = fixture.Workspace;

    /// <summary>4 prompts × 4 completions of ≤ 24 tokens per iteration.</summary>
    internal static JsonObject TinyParams(int iterations) => new()
    {
        ["iterations"] = iterations,
        ["promptsPerIteration"] = 4,
        ["numGenerations"] = 4,
        ["maxPromptTokens"] = 16,
        ["maxNewTokens"] = 24,
        ["learningRate"] = 3e-4,
        ["normalizeScores"] = false,
    };

    [Theory]
    [InlineData("grpo")]
    [InlineData("rloo")]
    public async Task CriticFreeVerbRaisesTheRewardWithoutAValueModel(string verb)
    {
        // 20 iterations of 16 completions: the score of the 'e'-share reward model rises, as it does under PPO
        // (PpoVerbTests), and the published policy writes the rewarded byte more often than the SFT policy.
        // As PPO's test: 8 optimiser steps per rollout (μ = 4 passes × 2 minibatches).
        var parameters = TinyParams(20);
        parameters["beta"] = 0.02;
        parameters["numIterations"] = 4;
        parameters["numMiniBatches"] = 2;
        var spec = _workspace.WriteSpec(_workspace.Spec(verb, $"{verb}-learn", $"runs/learn/{verb}", PpoVerbTests.Inputs(lexicons: true), parameters), $"{verb}-learn");

        var (exitCode, output, error) = await _workspace.RunProcessAsync(verb, spec, TimeSpan.FromSeconds(180));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var manifest = await _workspace.Store.ReadJsonAsync<StepManifest>($"runs/learn/{verb}/manifest.json");
        var outputs = manifest.Outputs.Select(o => o.Path).ToList();
        Assert.Contains($"runs/learn/{verb}/model/model.safetensors", outputs);
        Assert.DoesNotContain(outputs, o => o.Contains("/value/", StringComparison.Ordinal));
        var lines = await _workspace.ReadJsonLinesAsync($"runs/learn/{verb}/metrics.jsonl");
        Assert.Equal(20, lines.Count);
        foreach (var key in TrlKeys.Append("kl").Append("objective/kl"))
        {
            Assert.All(lines, line => Assert.True(line.ContainsKey(key), $"step {line["step"]} lacks {key}"));
        }

        var scores = lines.Select(l => Value(l, "rewards/rm/mean")).ToList();
        var (before, after) = (scores.Take(5).Average(), scores.TakeLast(5).Average());
        var trace = string.Join(" ", scores.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(after > before + 0.5, $"{verb}: score {before:F3} -> {after:F3}: {trace}");
        var (sftShare, tunedShare) = (TargetShare(PpoFixture.PolicyPath), TargetShare($"runs/learn/{verb}/model"));
        Assert.True(tunedShare > sftShare + 0.03, $"share of '{PpoFixture.TargetByte}': SFT {sftShare:F3}, {verb} {tunedShare:F3}");
    }

    [Fact]
    public async Task GrpoWithSeveralPassesAndMinibatchesIsDeterministicAndLoadsNoReferenceAtBetaZero()
    {
        var parameters = TinyParams(3);
        parameters["numIterations"] = 2;
        parameters["numMiniBatches"] = 2;
        parameters["lossType"] = "dr_grpo";
        parameters["scaleRewards"] = "batch";
        parameters["epsilonHigh"] = 0.28;
        var a = _workspace.WriteSpec(_workspace.Spec("grpo", "grpo-a", "runs/a/grpo", PpoVerbTests.Inputs(), parameters), "grpo-a");
        var b = _workspace.WriteSpec(_workspace.Spec("grpo", "grpo-b", "runs/b/grpo", PpoVerbTests.Inputs(), parameters.DeepClone().AsObject()), "grpo-b");

        var first = await _workspace.RunProcessAsync("grpo", a);
        var second = await _workspace.RunProcessAsync("grpo", b);

        Assert.True(first.ExitCode == 0, $"{first.Output}\n{first.Error}");
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("reference not loaded (beta 0)", first.Output + first.Error, StringComparison.Ordinal);
        var lines = await _workspace.ReadJsonLinesAsync("runs/a/grpo/metrics.jsonl");
        Assert.All(lines, line => Assert.Equal(4, Value(line, "policy/updates")));   // μ = 2 passes × 2 minibatches
        Assert.All(lines, line => Assert.False(line.ContainsKey("kl")));
        Assert.Equal(await ShaAsync("runs/a/grpo/model/model.safetensors"), await ShaAsync("runs/b/grpo/model/model.safetensors"));
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("rloo")]
    [InlineData("ppo")]
    public async Task SeveralWeightedRewardSourcesAreUsedAndLoggedOneByOne(string verb)
    {
        var parameters = verb == "ppo" ? PpoVerbTests.TinyParams(2) : TinyParams(2);
        parameters["rewards"] = new JsonArray(
            new JsonObject { ["kind"] = "rewardModel", ["weight"] = 1.0 },
            new JsonObject { ["kind"] = "eosBonus", ["weight"] = 0.5 },
            new JsonObject { ["kind"] = "gold", ["component"] = "plainness", ["weight"] = 0.25 });
        parameters["rewardAggregation"] = "normalizeThenSum";
        var spec = _workspace.WriteSpec(_workspace.Spec(verb, $"{verb}-sources", $"runs/sources/{verb}", PpoVerbTests.Inputs(lexicons: true), parameters), $"{verb}-sources");

        var (exitCode, output, error) = await _workspace.RunProcessAsync(verb, spec, TimeSpan.FromSeconds(120));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var lines = await _workspace.ReadJsonLinesAsync($"runs/sources/{verb}/metrics.jsonl");
        foreach (var key in new[] { "rewards/rm/mean", "rewards/eos_bonus/mean", "rewards/eos_bonus/std", "rewards/gold_plainness/mean" })
        {
            Assert.All(lines, line => Assert.True(line.ContainsKey(key), $"step {line["step"]} lacks {key}"));
        }

        Assert.All(lines, line => Assert.InRange(Value(line, "rewards/eos_bonus/mean"), 0, 1));
    }

    [Theory]
    [InlineData("grpo", "gold", null)]
    [InlineData("rloo", "proxy", 1e-9)]
    public async Task HeldoutChecksChooseThePolicyWrittenWithinTheKlBudget(string verb, string keepBest, double? maxKl)
    {
        // GRPO at β 0 loads its reference for the checks' KL alone. RLOO with a budget no trained policy meets keeps check 0:
        // the input policy itself, whatever the proxy says of the later checks.
        var parameters = TinyParams(6);
        parameters["beta"] = verb == "grpo" ? 0 : 0.05;
        parameters["heldoutEvery"] = 3;
        parameters["heldoutPrompts"] = 8;
        parameters["keepBest"] = keepBest;
        parameters["heldoutMaxKl"] = maxKl;
        parameters["heldoutSamplesPerPrompt"] = verb == "grpo" ? 2 : 1;
        var inputs = PpoVerbTests.Inputs(lexicons: true);
        inputs["heldout"] = PpoFixture.PromptsPath;
        var folder = $"runs/check-{verb}/{verb}";
        var spec = _workspace.WriteSpec(_workspace.Spec(verb, $"{verb}-check", folder, inputs, parameters), $"{verb}-check");

        var (exitCode, output, error) = await _workspace.RunProcessAsync(verb, spec, TimeSpan.FromSeconds(120));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var log = await _workspace.Store.ReadJsonAsync<HeldoutLog>($"{folder}/heldout.json");
        Assert.Equal([0L, 3L, 6L], log.Points.Select(p => p.Iteration));
        Assert.Equal(0, log.Points[0].Kl, 4);                                               // check 0 is the reference itself
        Assert.Equal(1.0, log.Points[0].DistinctRatio);                                     // …and as varied as itself
        Assert.All(log.Points, p => Assert.InRange(p.DistinctRatio!.Value, 0.01, 2));
        Assert.True(log.Points[^1].Kl > 1e-6, $"the trained policy moved: KL {log.Points[^1].Kl}");
        var expected = maxKl is null ? log.Points.MaxBy(p => p.Gold)!.Iteration : 0;
        Assert.Equal(expected, log.KeptIteration);
        var logged = (await _workspace.ReadJsonLinesAsync($"{folder}/metrics.jsonl")).Where(l => l.ContainsKey("heldout/kl")).ToList();
        Assert.Equal([0L, 3L, 6L], logged.Select(l => l["step"]!.GetValue<long>()));
        if (maxKl is not null)
        {
            Assert.Equal(TargetShare(PpoFixture.PolicyPath), TargetShare($"{folder}/model"), 6);   // the input policy was written
        }
    }

    [Fact]
    public async Task HeldoutChecksWithoutHeldoutPromptsExitTwoNamingTheInput()
    {
        var parameters = TinyParams(2);
        parameters["heldoutEvery"] = 1;
        var spec = _workspace.WriteSpec(_workspace.Spec("rloo", "rloo-no-heldout", "runs/no-heldout/rloo", PpoVerbTests.Inputs(), parameters), "rloo-no-heldout");

        var (exitCode, _, error) = await _workspace.RunProcessAsync("rloo", spec);

        Assert.Equal(Rlhf.Core.Jobs.JobExitCodes.InvalidSpec, exitCode);
        Assert.Contains("inputs.heldout", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOrOutOfRangeParametersExitWithTheInvalidSpecCode()
    {
        var parameters = TinyParams(1);
        parameters["lossType"] = "ppo";
        var spec = _workspace.WriteSpec(_workspace.Spec("grpo", "grpo-bad", "runs/bad/grpo", PpoVerbTests.Inputs(), parameters), "grpo-bad");

        var (exitCode, _, error) = await _workspace.RunProcessAsync("grpo", spec);

        Assert.Equal(Rlhf.Core.Jobs.JobExitCodes.InvalidSpec, exitCode);
        Assert.Contains("lossType", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_workspace.Store.GetFilePath("runs/bad/grpo/manifest.json")));
    }

    private double TargetShare(string prefix) => PpoVerbTests.TargetShare(fixture, prefix);

    private static double Value(JsonObject line, string key) => line[key]!.GetValue<double>();

    private async Task<string> ShaAsync(string path) => (await ContentHash.Sha256FileAsync(_workspace.Store.GetFilePath(path))).Sha256;
}

using System.Text.Json.Nodes;
using Rlhf.Core.Contracts;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tests.Training;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using Rlhf.TrainerJob.Verbs;
using TorchSharp;

namespace Rlhf.TrainerJob.Tests.Verbs;

public sealed class EvaluateVerbTests : IDisposable
{
    private readonly TrainerWorkspace _workspace = new();

    [Fact]
    public async Task EvaluatingTheReferenceAgainstItselfGivesZeroKlHalfWinRateAndNoAlarms()
    {
        await TrainingFixtures.PutPolicyAsync(_workspace, "models/sft", seed: 3);
        await PutRewardModelAsync("models/rm");
        await TrainingFixtures.PutFolderAsync(_workspace, "data/lexicons", Path.GetDirectoryName(TrainerWorkspace.FindRepoFile("data/tiny/lexicons/afinn-111.tsv"))!);
        await _workspace.Store.PutFileAsync("data/prompts.jsonl", TrainerWorkspace.FindRepoFile("data/tiny/prompts.heldout.jsonl"));
        var inputs = new JsonObject
        {
            ["policy"] = "models/sft",
            ["reference"] = "models/sft",
            ["rewardModel"] = "models/rm",
            ["prompts"] = "data/prompts.jsonl",
            ["lexicons"] = "data/lexicons",
        };
        var parameters = new JsonObject { ["samplesPerPrompt"] = 3, ["maxNewTokens"] = 24, ["limit"] = 5 };
        var spec = _workspace.Spec("evaluate", "eval-self", "runs/r1/evaluate", inputs, parameters);

        var (exitCode, output, error) = await _workspace.RunProcessAsync("evaluate", _workspace.WriteSpec(spec, "evaluate"));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var report = await _workspace.ReadJsonAsync("runs/r1/evaluate/evaluation.json");
        var metrics = report["metrics"]!.AsObject();
        foreach (var key in new[]
        {
            MetricKeys.Gold, MetricKeys.Reward, MetricKeys.Kl, MetricKeys.WinRate, "eval/kl_k3", "eval/ref_gold", "eval/ref_reward",
            "eval/gold/sentiment", "eval/ref_gold/on_topic", "eval/response_tokens", "eval/ref_response_tokens",
            "eval/distinct_1", "eval/distinct_2", "eval/entropy", "eval/ref_entropy", "eval/gold_std",
        })
        {
            Assert.True(metrics.ContainsKey(key), $"evaluation.json lacks {key}: {metrics.ToJsonString()}");
        }

        Assert.True(Math.Abs(metrics[MetricKeys.Kl]!.GetValue<double>()) < 1e-4, $"kl {metrics[MetricKeys.Kl]}");
        Assert.True(Math.Abs(metrics["eval/kl_k3"]!.GetValue<double>()) < 1e-4, $"k3 {metrics["eval/kl_k3"]}");
        Assert.Equal(0.5, metrics[MetricKeys.WinRate]!.GetValue<double>());
        Assert.Equal(metrics["eval/ref_gold"]!.GetValue<double>(), metrics[MetricKeys.Gold]!.GetValue<double>(), 12);
        Assert.Empty(report["flags"]!.AsArray());
        Assert.Equal(5, report["prompts"]!.GetValue<int>());

        var samples = await _workspace.ReadJsonLinesAsync("runs/r1/evaluate/samples.jsonl");
        Assert.Equal(15, samples.Count);
        Assert.All(samples, s => Assert.Equal(s["policy"]!.GetValue<string>(), s["reference"]!.GetValue<string>()));
        var shown = report["samples"]!.AsArray();
        Assert.Equal(EvaluationReport.ShownSampleCount, shown.Count);
        Assert.All(shown, s => Assert.Contains(samples, line => line.ToJsonString() == s!.ToJsonString()));
        Assert.True(shown.Select(s => s!.ToJsonString()).Distinct().Count() == shown.Count, "samples are drawn without replacement");
        var last = (await _workspace.ReadJsonLinesAsync("runs/r1/evaluate/metrics.jsonl"))[^1];
        Assert.Equal(metrics[MetricKeys.Gold]!.GetValue<double>(), last[MetricKeys.Gold]!.GetValue<double>());
    }

    [Fact]
    public void RewardUpWhileGoldDownLongerAnswersAndCollapsedEntropyRaiseAlarms()
    {
        static EvaluatedCompletion Completion(double reward, double gold, int tokens, double entropy, double kl) =>
            new("a b", tokens, true, reward, new Dictionary<string, double> { ["gold/total"] = gold }, (kl, kl), entropy);
        EvaluatedCompletion[] policy = [Completion(1.5, 0.2, 40, 0.5, 12), Completion(1.3, 0.3, 44, 0.4, 14)];
        EvaluatedCompletion[] reference = [Completion(0.0, 0.6, 20, 2.0, 0), Completion(0.2, 0.5, 22, 2.2, 0)];

        var report = EvaluateSummary.Build(policy, reference, prompts: 1, new EvaluateConfig());

        Assert.Equal(["reward_hacking", "kl_high", "entropy_collapse", "length_drift"], report.Flags.Select(f => f.Name));
        Assert.Equal(0.0, report.Metrics[MetricKeys.WinRate]);
        Assert.Equal(13.0, report.Metrics[MetricKeys.Kl]);
        Assert.Equal(0.3, report.Flags[0].Value, 12);                                            // gold fell 0.55 → 0.25
    }

    [Fact]
    public void TodaysDemoFiguresRaiseTheDegenerationAlarmsAndNameTheTermThatMoved()
    {
        // Issue 14's demo: EOS fraction 0.30 → 0.02, distinct-1 0.53 → 0.30, gold 0.50 → 0.82 (0.87 in the demo) with most of the gain in
        // plainness, reward up; tuned answers run to the 48-token limit. Replayed with 50 completions a side.
        var config = new EvaluateConfig();
        static Dictionary<string, double> Gold(double plainness, double fluency, double rest) => new()
        {
            ["gold/plainness"] = plainness, ["gold/fluency"] = fluency, ["gold/sentiment"] = rest,
            ["gold/total"] = plainness + fluency + rest,
        };
        var reference = Enumerable.Range(0, 50).Select(i => new EvaluatedCompletion(
            $"w{i}a w{i}b w{i}c w{i}d w{i}e the sea of a ship{(i < 15 ? "." : "")}", i < 15 ? 12 : 48, i < 15, 0.0, Gold(0.30, 0.30, -0.10), (0.0, 0.0), 2.0)).ToList();
        var policy = Enumerable.Range(0, 50).Select(i => new EvaluatedCompletion(
            $"w{i}a w{i}b w{i}c the a a of the very more a world of the a", i == 0 ? 20 : 48, i == 0, 1.0, Gold(0.70, 0.20, -0.08), (6.0, 6.0), 1.8)).ToList();

        var report = EvaluateSummary.Build(policy, reference, prompts: 50, config);
        var m = report.Metrics;

        Assert.Equal(0.30, m["eval/ref_eos_fraction"], 12);
        Assert.Equal(0.02, m["eval/eos_fraction"], 12);
        Assert.InRange(m["eval/ref_distinct_1"], 0.5, 0.56);
        Assert.InRange(m["eval/distinct_1"], 0.2, 0.32);
        var names = report.Flags.Select(f => f.Name).ToList();
        Assert.Contains("ending_collapse", names);
        Assert.Contains("distinct_collapse", names);
        Assert.Contains("length_pinned", names);
        Assert.Contains("fluency_drop", names);
        var hacked = Assert.Single(report.Flags, f => f.Name == "reward_hacking_term");
        Assert.Equal("gold/fluency", hacked.Term);
        var oneTerm = Assert.Single(report.Flags, f => f.Name == "gain_one_term");
        Assert.Equal("gold/plainness", oneTerm.Term);
        Assert.DoesNotContain("reward_hacking", names); // gold total rose: only the per-term and shape alarms can see this
    }

    [Fact]
    public void AHealthyPolicyRaisesNoDegenerationAlarm()
    {
        var reference = Enumerable.Range(0, 20).Select(i => new EvaluatedCompletion($"w{i}a w{i}b the sea.", 6, true, 0.0, null, (0.0, 0.0), 2.0)).ToList();
        var policy = Enumerable.Range(0, 20).Select(i => new EvaluatedCompletion($"v{i}a v{i}b a ship.", 6, true, 0.5, null, (1.0, 1.0), 1.9)).ToList();

        var report = EvaluateSummary.Build(policy, reference, prompts: 20, new EvaluateConfig());

        Assert.Empty(report.Flags);
    }

    private async Task PutRewardModelAsync(string prefix)
    {
        torch.manual_seed(11);
        using var model = new RewardModel(
            new Rlhf.TrainerJob.Model.Gpt(new Rlhf.TrainerJob.Model.GptConfig(VocabSize: 258, NPositions: 128, NEmbd: 32, NLayer: 1, NHead: 2)), new ByteTokenizer())
        { Stats = new RewardStats(0.1, 0.5, 10) };
        var local = Path.Combine(_workspace.Root, "rm");
        model.Save(local);
        await TrainingFixtures.PutFolderAsync(_workspace, prefix, local);
    }

    public void Dispose() => _workspace.Dispose();
}

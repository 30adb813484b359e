using System.Text.Json.Nodes;
using Rlhf.Core.Contracts;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tests.Training;
using Rlhf.TrainerJob.Verbs;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Verbs;

public sealed class DpoVerbTests(PpoFixture fixture) : IClassFixture<PpoFixture>
{
    private const string PreferencesPath = "data/dpo-preferences.jsonl";
    private readonly TrainerWorkspace _workspace = fixture.Workspace;

    /// <summary>Chosen responses are kind sentences, rejected ones harsh word lists (property X = kind and plain).</summary>
    private static List<PreferenceRecord> KindOverHarsh(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => new PreferenceRecord
        {
            Id = $"p{i}:0-1",
            PromptId = $"p{i}",
            Prompt = i % 2 == 0 ? "It is a" : "The whale",
            Chosen = TrainingFixtures.Good[i % TrainingFixtures.Good.Count],
            Rejected = TrainingFixtures.Bad[i % TrainingFixtures.Bad.Count],
            ChosenIndex = 0,
            RejectedIndex = 1,
            Ranking = [0, 1],
            Labeler = "test",
        }),
    ];

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("ipo")]
    public async Task DpoLearnsThePreferredPropertyAndKeepsTheReferenceFixed(string lossType)
    {
        var pairs = KindOverHarsh(32);
        await TrainingFixtures.PutJsonLinesAsync(_workspace, PreferencesPath, pairs);
        var parameters = new JsonObject
        {
            ["learningRate"] = 1e-3,
            ["warmupSteps"] = 2,
            ["batchSize"] = 8,
            ["epochs"] = 4,
            ["maxLength"] = PpoFixture.NPositions,
            ["beta"] = 0.1,
            ["lossType"] = lossType,
        };
        var output = $"runs/dpo-{lossType}/dpo";
        var spec = _workspace.WriteSpec(_workspace.Spec("dpo", "dpo-" + lossType, output,
            new JsonObject { ["policy"] = PpoFixture.PolicyPath, ["preferences"] = PreferencesPath }, parameters, checkpointEvery: 5), "dpo-" + lossType);

        var (exitCode, stdout, error) = await _workspace.RunProcessAsync("dpo", spec);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{error}");
        var lines = await _workspace.ReadJsonLinesAsync($"{output}/metrics.jsonl");
        Assert.Equal(16, lines.Count);
        var accuracies = lines.Select(l => l["rewards/accuracies"]!.GetValue<double>()).ToList();
        var margins = lines.Select(l => l["rewards/margins"]!.GetValue<double>()).ToList();
        Assert.True(accuracies.TakeLast(4).Average() >= 0.9, $"accuracies {string.Join(" ", accuracies)}");
        // Implicit rewards are β-scaled: summed log-probs for DPO, per-token averages for IPO.
        var (rewardGain, logProbGain) = lossType == "ipo" ? (0.015, 0.15) : (0.5, 1.0);
        Assert.True(margins.TakeLast(4).Average() > margins[0] + rewardGain, $"margins {string.Join(" ", margins)}");

        // The stored reference log-probs are the SFT policy's, and the trained policy's margin chosen − rejected grew.
        var reference = await _workspace.ReadJsonLinesAsync($"{output}/reference_logps.jsonl");
        var sft = Margins(PpoFixture.PolicyPath, pairs, average: lossType == "ipo");
        var trained = Margins($"{output}/model", pairs, average: lossType == "ipo");
        for (var i = 0; i < pairs.Count; i++)
        {
            Assert.Equal(sft.Chosen[i], reference[i]["chosen"]!.GetValue<double>(), 3);
            Assert.Equal(sft.Rejected[i], reference[i]["rejected"]!.GetValue<double>(), 3);
        }

        var sftMargin = sft.Chosen.Zip(sft.Rejected, (c, r) => c - r).Average();
        var trainedMargin = trained.Chosen.Zip(trained.Rejected, (c, r) => c - r).Average();
        Assert.True(trainedMargin > sftMargin + logProbGain, $"log-prob margin chosen − rejected: SFT {sftMargin:F2}, DPO {trainedMargin:F2}");
    }

    [Fact]
    public void KWiseLinesOfOnePromptShareTheirCompletionsAndKeepEveryPair()
    {
        var records = TrainingFixtures.GoldRankedPreferences(2);                                 // 2 prompts × C(3,2) lines

        var groups = DpoData.Group(records);

        Assert.Equal(2, groups.Count);
        Assert.All(groups, g => Assert.Equal((3, 3), (g.Completions.Count, g.Pairs.Count)));
        var pairs = groups.SelectMany(g => g.Pairs.Select(p => (g.Prompt, Chosen: g.Completions[p.Chosen], Rejected: g.Completions[p.Rejected], p.Record))).ToList();
        Assert.Equal(Enumerable.Range(0, 6), pairs.Select(p => p.Record));
        Assert.Equal(records.Select(r => (r.Prompt, r.Chosen, r.Rejected)), pairs.Select(p => (p.Prompt, p.Chosen, p.Rejected)));
    }

    [Fact]
    public async Task GroupedLogProbsEqualThoseOfEachPairAloneAndTheReferenceFileKeepsTheLineOrder()
    {
        var records = TrainingFixtures.GoldRankedPreferences(4);
        var (model, tokenizer) = ModelIO.Load(fixture.LocalFolder(PpoFixture.PolicyPath));
        using (model)
        using (NewDisposeScope())
        using (no_grad())
        {
            var (grouped, _) = DpoData.PairLogProbs(model, tokenizer, DpoData.Group(records), PpoFixture.NPositions, average: false);
            var alone = records.Select(r => DpoData.PairLogProbs(model, tokenizer, DpoData.Group([r with { PromptId = r.Id }]), PpoFixture.NPositions, average: false).Chosen.item<float>());
            Assert.Equal(alone.ToArray(), grouped.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-4);
        }

        await TrainingFixtures.PutJsonLinesAsync(_workspace, "data/dpo-kwise.jsonl", records);
        var parameters = new JsonObject { ["learningRate"] = 1e-4, ["batchSize"] = 3, ["maxLength"] = PpoFixture.NPositions };
        var output = "runs/dpo-kwise/dpo";
        var spec = _workspace.WriteSpec(_workspace.Spec("dpo", "dpo-kwise", output,
            new JsonObject { ["policy"] = PpoFixture.PolicyPath, ["preferences"] = "data/dpo-kwise.jsonl" }, parameters), "dpo-kwise");

        var (exitCode, stdout, error) = await _workspace.RunInProcessAsync("dpo", spec);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{error}");
        Assert.Contains("12 pairs over 4 prompts (12 completions), 2 steps", stdout, StringComparison.Ordinal);       // 4 prompts, 3 per step
        Assert.Equal(2, (await _workspace.ReadJsonLinesAsync($"{output}/metrics.jsonl")).Count);
        var reference = await _workspace.ReadJsonLinesAsync($"{output}/reference_logps.jsonl");
        Assert.Equal(records.Select(r => r.Id), reference.Select(l => l["id"]!.GetValue<string>()));
        var sft = Margins(PpoFixture.PolicyPath, records, average: false);
        Assert.Equal(sft.Chosen, reference.Select(l => l["chosen"]!.GetValue<double>()), (a, b) => Math.Abs(a - b) < 1e-3);
        Assert.Equal(sft.Rejected, reference.Select(l => l["rejected"]!.GetValue<double>()), (a, b) => Math.Abs(a - b) < 1e-3);
    }

    /// <summary>Per pair, in file order, the model's log-probs of chosen and rejected.</summary>
    private (double[] Chosen, double[] Rejected) Margins(string prefix, List<PreferenceRecord> pairs, bool average)
    {
        var (model, tokenizer) = ModelIO.Load(fixture.LocalFolder(prefix));
        using var _ = model;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (chosen, rejected) = DpoData.PairLogProbs(model, tokenizer, DpoData.Group([.. pairs.Select(p => p with { PromptId = p.Id })]), PpoFixture.NPositions, average);
        return (chosen.to_type(ScalarType.Float64).data<double>().ToArray(), rejected.to_type(ScalarType.Float64).data<double>().ToArray());
    }
}

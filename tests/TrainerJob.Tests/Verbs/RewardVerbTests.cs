using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tests.Training;
using Rlhf.TrainerJob.Training;
using Rlhf.TrainerJob.Verbs;

namespace Rlhf.TrainerJob.Tests.Verbs;

public sealed class RewardVerbTests : IDisposable
{
    private readonly TrainerWorkspace _workspace = new();

    internal static JsonObject TinyParams() => new()
    {
        ["learningRate"] = 1e-3,
        ["batchSize"] = 16,
        ["epochs"] = 3,
        ["maxLength"] = 96,
        ["validationFraction"] = 0.2,
        ["evalEvery"] = 10,
        ["warmupSteps"] = 3,
    };

    [Fact]
    public async Task RewardProcessLearnsGoldRankedPreferencesAndPublishesTheModelWithStats()
    {
        await TrainingFixtures.PutPolicyAsync(_workspace, "models/sft");
        await TrainingFixtures.PutJsonLinesAsync(_workspace, "data/preferences.jsonl", TrainingFixtures.GoldRankedPreferences(200));
        var spec = _workspace.Spec("reward", "rm-smoke", "runs/r1/reward",
            new JsonObject { ["policy"] = "models/sft", ["preferences"] = "data/preferences.jsonl" }, TinyParams(), checkpointEvery: 10);

        var (exitCode, output, error) = await _workspace.RunProcessAsync("reward", _workspace.WriteSpec(spec, "reward"));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var manifest = await _workspace.Store.ReadJsonAsync<StepManifest>("runs/r1/reward/manifest.json");
        Assert.Equal(
            ["runs/r1/reward/metrics.jsonl", "runs/r1/reward/model/config.json", "runs/r1/reward/model/model.safetensors",
             "runs/r1/reward/model/reward_stats.json", "runs/r1/reward/model/rlhf_tokenizer.json", "runs/r1/reward/model/score.safetensors"],
            manifest.Outputs.Select(o => o.Path).Order(StringComparer.Ordinal));
        var heldout = (await _workspace.ReadJsonLinesAsync("runs/r1/reward/metrics.jsonl"))
            .Where(line => line.ContainsKey("rm/heldout_accuracy"))
            .Select(line => line["rm/heldout_accuracy"]!.GetValue<double>())
            .ToList();
        Assert.True(heldout[^1] > 0.6, $"held-out accuracy {string.Join(" -> ", heldout)}");
        Assert.Equal(manifest.Metrics["rm/heldout_accuracy"], heldout[^1]);

        var stats = await _workspace.Store.ReadJsonAsync<RewardStats>("runs/r1/reward/model/reward_stats.json");
        Assert.True(stats.Std > 0 && stats.Count > 0, $"stats {stats}");
        using var model = RewardModel.Load(Path.GetDirectoryName(_workspace.Store.GetFilePath("runs/r1/reward/model/score.safetensors"))!);
        var scores = model.ScoreTexts([("The whale", TrainingFixtures.Good[0]), ("The whale", TrainingFixtures.Bad[0])]);
        Assert.True(scores[0] > scores[1], $"good {scores[0]} vs bad {scores[1]}");
    }

    [Fact]
    public async Task AnEnsembleTrainsBootstrappedHeadsThatAgreeOnTheOrderAndDisagreeInDetail()
    {
        await TrainingFixtures.PutPolicyAsync(_workspace, "models/sft");
        await TrainingFixtures.PutJsonLinesAsync(_workspace, "data/preferences.jsonl", TrainingFixtures.GoldRankedPreferences(200));
        var parameters = TinyParams();
        parameters["ensembleSize"] = 3;
        var spec = _workspace.Spec("reward", "rm-ensemble", "runs/e/reward",
            new JsonObject { ["policy"] = "models/sft", ["preferences"] = "data/preferences.jsonl" }, parameters);

        var (exitCode, output, error) = await _workspace.RunProcessAsync("reward", _workspace.WriteSpec(spec, "ensemble"));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        using var model = RewardModel.Load(Path.GetDirectoryName(_workspace.Store.GetFilePath("runs/e/reward/model/score.safetensors"))!);
        Assert.Equal(3, model.EnsembleSize);
        Assert.All(model.HeadStats, h => Assert.True(h.Std > 0, $"{h}"));
        var pairs = TrainingFixtures.Good.Select(g => ("The whale", g)).Concat(TrainingFixtures.Bad.Select(b => ("The whale", b))).ToList();
        var heads = model.ScoreHeadTexts(pairs);
        var good = TrainingFixtures.Good.Count;
        // Every head ranks the good continuations above the bad ones on average; the bootstrap makes them differ (no two heads equal).
        for (var k = 0; k < 3; k++)
        {
            Assert.True(heads.Take(good).Average(h => h[k]) > heads.Skip(good).Average(h => h[k]), $"head {k}");
        }

        Assert.True(heads.All(h => h.Distinct().Count() == 3));
        var scores = model.ScoreTexts(pairs);
        Assert.True(scores.Take(good).Average() > scores.Skip(good).Average());
    }

    [Fact]
    public async Task InvalidParamsExitTwoNamingTheField()
    {
        var parameters = TinyParams();
        parameters["epochs"] = 0;
        var spec = _workspace.Spec("reward", "rm-bad", "runs/bad/reward", new JsonObject { ["policy"] = "models/sft", ["preferences"] = "p.jsonl" }, parameters);

        var (exitCode, output, error) = await _workspace.RunProcessAsync("reward", _workspace.WriteSpec(spec, "bad"));

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("params.epochs must be >= 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void KWiseLinesOfOnePromptBecomeOneGroupBestFirst()
    {
        var records = TrainingFixtures.GoldRankedPreferences(2);

        var groups = RewardData.Group(records);

        Assert.Equal(2, groups.Count);
        var first = groups[0];
        Assert.Equal(3, first.Items.Count);
        Assert.Equal(3, first.PairCount);
        var scores = first.Items.Select(i => TrainingFixtures.Gold.Score(first.Prompt, i).Total).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
    }

    [Fact]
    public void AChosenItemRankedBelowTheRejectedOneIsRejected()
    {
        var records = TrainingFixtures.GoldRankedPreferences(1);
        var broken = records[0] with { Ranking = [.. records[0].Ranking.Reverse()] };

        var error = Assert.Throws<InvalidDataException>(() => RewardData.Group([broken, .. records.Skip(1)]));
        Assert.Contains("is not ranked above", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHeldoutSplitIsByPromptAndDeterministic()
    {
        var groups = RewardData.Group(TrainingFixtures.GoldRankedPreferences(200));

        var (train, heldout) = RewardData.Split(groups, 0.2);
        var again = RewardData.Split(groups, 0.2);

        Assert.Equal(heldout.Select(g => g.PromptId), again.Heldout.Select(g => g.PromptId));
        Assert.Empty(train.Select(g => g.PromptId).Intersect(heldout.Select(g => g.PromptId)));
        Assert.Equal(200, train.Count + heldout.Count);
        Assert.InRange(heldout.Count, 25, 55);                                                   // ~40 expected
    }

    public void Dispose() => _workspace.Dispose();
}

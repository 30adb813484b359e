using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Algorithms;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class ConfigTests
{
    [Fact]
    public void DefaultsAreValid()
    {
        Assert.Empty(new PpoConfig().Validate());
        Assert.Empty(new DpoConfig().Validate());
        Assert.Empty(new RewardConfig().Validate());
    }

    [Fact]
    public void ParamsAreReadAsCamelCaseJsonWithStringEnums()
    {
        var parameters = JsonNode.Parse("""{ "clipRange": 0.1, "klEstimator": "k3", "klControl": "fixed", "missingEosPenalty": 1.0 }""")!.AsObject();

        var config = TrainerParams.Read<PpoConfig>(parameters);

        Assert.Equal(0.1, config.ClipRange);
        Assert.Equal(KlEstimator.K3, config.KlEstimator);
        Assert.Equal(KlControlKind.Fixed, config.KlControl);
        Assert.Equal(1.0, config.MissingEosPenalty);
        Assert.Equal(0.95, config.Lambda); // untouched default
        // round trip (compared as JSON: the record's list of reward sources compares by reference)
        var json = JsonSerializer.Serialize(config, JsonDefaults.Options);
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize<PpoConfig>(json, JsonDefaults.Options), JsonDefaults.Options));
    }

    [Fact]
    public void UnknownKeysAreRejected()
    {
        var parameters = JsonNode.Parse("""{ "clip_range": 0.1 }""")!.AsObject();

        var error = Assert.Throws<ArgumentException>(() => TrainerParams.Read<PpoConfig>(parameters));

        Assert.Contains("clip_range", error.Message);
    }

    [Fact]
    public void ValidationNamesEveryBadField()
    {
        var ppo = new PpoConfig { ClipRange = 1.5, RolloutBatchSize = 10, NumMiniBatches = 3, Gamma = -1 };
        var dpo = new DpoConfig { Beta = 0, LabelSmoothing = 0.5 };
        var reward = new RewardConfig { Epochs = 0 };

        Assert.Equal(
            ["params.numMiniBatches must divide rolloutBatchSize", "params.gamma must be in [0, 1]", "params.clipRange must be in (0, 1)"],
            ppo.Validate());
        Assert.Equal(["params.beta must be > 0", "params.labelSmoothing must be in [0, 0.5)"], dpo.Validate());
        Assert.Equal(["params.epochs must be >= 1"], reward.Validate());
        var error = Assert.Throws<ArgumentException>(() => TrainerParams.Read<DpoConfig>(JsonNode.Parse("""{ "beta": -1 }""")!.AsObject()));
        Assert.Contains("params.beta must be > 0", error.Message);
    }

    [Fact]
    public void DpoAveragesLogProbsOnlyForIpo()
    {
        Assert.False(new DpoConfig().AverageLogProbs);
        Assert.True(new DpoConfig { LossType = PreferenceLossType.Ipo }.AverageLogProbs);
        Assert.False(new DpoConfig { LossType = PreferenceLossType.Ipo, IpoAverageLogProbs = false }.AverageLogProbs);
    }
}

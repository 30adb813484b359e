namespace Rlhf.TrainerJob.Algorithms;

/// <summary>What the <c>ppo</c> verb builds from its <see cref="PpoConfig"/> (the record lives in Rlhf.TrainerContracts, which has no TorchSharp).</summary>
public static class PpoConfigExtensions
{
    /// <summary>A new controller at the configured initial state.</summary>
    public static IKlController CreateKlController(this PpoConfig config) => config.KlControl == KlControlKind.Adaptive
        ? new AdaptiveKlController(config.InitKlCoef, config.KlTarget, config.KlHorizon)
        : new FixedKlController(config.InitKlCoef);

    /// <summary>Reward-shaping options for the current β and the reward model's score statistics.</summary>
    public static RewardShapingOptions ShapingOptions(this PpoConfig config, double klCoef, double scoreMean, double scoreStd) => new(
        klCoef,
        config.MissingEosPenalty,
        config.MissingEosMode,
        config.ScoreClip,
        config.NormalizeScores ? scoreMean : null,
        config.NormalizeScores ? scoreStd : null);
}

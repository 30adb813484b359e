using System.Text.Json.Serialization;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>Hyper-parameters of the <c>reward</c> verb. Defaults and their sources: docs/ppo-defaults.md.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RewardConfig : ITrainerParams
{
    /// <summary>Optimiser learning rate.</summary>
    public double LearningRate { get; init; } = 9e-6;

    /// <summary>Prompts (each with all its C(K,2) pairs) per optimiser step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Passes over the comparisons; more over-fits.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Global gradient-norm clip; 0 = off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Prompt + response tokens kept per sequence.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>Weight of the reward-centring term (rChosen + rRejected)²; 0 = off.</summary>
    public double CenterRewardsCoef { get; init; }

    /// <summary>Fraction of prompts held out to measure rm/accuracy.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    public IReadOnlyList<string> Validate() => new ParamChecks()
        .Positive(nameof(LearningRate), LearningRate)
        .AtLeast(nameof(BatchSize), BatchSize, 1)
        .AtLeast(nameof(Epochs), Epochs, 1)
        .NonNegative(nameof(MaxGradNorm), MaxGradNorm)
        .AtLeast(nameof(MaxLength), MaxLength, 2)
        .NonNegative(nameof(CenterRewardsCoef), CenterRewardsCoef)
        .Check(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), "must be in [0, 1)")
        .Problems;
}

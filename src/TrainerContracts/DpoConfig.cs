using System.Text.Json.Serialization;

namespace Rlhf.TrainerContracts;

/// <summary>Hyper-parameters of the <c>dpo</c> verb. Defaults and their sources: docs/ppo-defaults.md.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DpoConfig : ITrainerParams
{
    /// <summary>Optimiser learning rate.</summary>
    public double LearningRate { get; init; } = 1e-6;

    /// <summary>Linear learning-rate warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 150;

    /// <summary>
    /// Prompts per optimiser step, each with all its pairs (the C(K,2) lines of a K-wise ranking share K completions,
    /// whose log-probs are computed once); the same as pairs per step for K = 2.
    /// </summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Passes over the preference set.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Global gradient-norm clip; 0 = off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Prompt + response tokens kept per sequence.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>β: strength of the implicit KL constraint to the reference policy.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>sigmoid (DPO) | ipo.</summary>
    public PreferenceLossType LossType { get; init; } = PreferenceLossType.Sigmoid;

    /// <summary>cDPO label smoothing ε (assumed label-flip rate), in [0, 0.5).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>IPO on per-token average log-probs (as TRL) instead of sums.</summary>
    public bool IpoAverageLogProbs { get; init; } = true;

    /// <summary>Whether sequence log-probs are per-token averages for this loss type.</summary>
    public bool AverageLogProbs => LossType == PreferenceLossType.Ipo && IpoAverageLogProbs;

    public IReadOnlyList<string> Validate() => new ParamChecks()
        .Positive(nameof(LearningRate), LearningRate)
        .AtLeast(nameof(WarmupSteps), WarmupSteps, 0)
        .AtLeast(nameof(BatchSize), BatchSize, 1)
        .AtLeast(nameof(Epochs), Epochs, 1)
        .NonNegative(nameof(MaxGradNorm), MaxGradNorm)
        .AtLeast(nameof(MaxLength), MaxLength, 2)
        .Positive(nameof(Beta), Beta)
        .Check(LabelSmoothing is >= 0 and < 0.5, nameof(LabelSmoothing), "must be in [0, 0.5)")
        .Check(LabelSmoothing == 0 || LossType == PreferenceLossType.Sigmoid, nameof(LabelSmoothing), "applies to lossType sigmoid only")
        .Problems;
}

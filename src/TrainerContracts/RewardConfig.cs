using System.Text.Json.Serialization;

namespace Rlhf.TrainerContracts;

/// <summary>Where the reward head reads the trunk's hidden states.</summary>
public enum RewardPooling
{
    /// <summary>The last real token (EOS for a completed response): InstructGPT, TRL.</summary>
    Last,

    /// <summary>The mean over the response's tokens (EOS included): suits rewards that are averages over the words.</summary>
    Mean,
}

/// <summary>Hyper-parameters of the <c>reward</c> verb. Defaults and their sources: docs/ppo-defaults.md.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RewardConfig : ITrainerParams
{
    /// <summary>Most heads of a reward ensemble: enough for a std estimate, few enough that the heads stay a small share of the model.</summary>
    public const int MaxEnsembleSize = 16;

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

    /// <summary>Linear warmup steps before the cosine decay to <see cref="MinLearningRate"/>.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Learning rate at the last step (cosine floor).</summary>
    public double MinLearningRate { get; init; }

    /// <summary>AdamW decoupled weight decay, on matrices only.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Held-out loss and accuracy every N steps (and at step 0 and the last step); 0 = only then.</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>Score each completion with EOS appended (as the sampler emits it), so the head reads the EOS position.</summary>
    public bool AppendEos { get; init; } = true;

    /// <summary>Where the score head reads: <c>last</c> token (InstructGPT) or <c>mean</c> of the response tokens.</summary>
    public RewardPooling Pooling { get; init; } = RewardPooling.Last;

    /// <summary>
    /// Reward heads K on the shared trunk, each trained on its own Poisson(1) bootstrap weights of the prompts (seeded by the
    /// job's seed and the head), so their disagreement measures what the labels leave uncertain. Policy optimisation reads
    /// mean − λ·std over the standardised heads (<c>uncertaintyPenalty</c>); 1 = a single head.
    /// </summary>
    public int EnsembleSize { get; init; } = 1;

    public IReadOnlyList<string> Validate() => new ParamChecks()
        .Check(EnsembleSize is >= 1 and <= MaxEnsembleSize, nameof(EnsembleSize), $"must be between 1 and {MaxEnsembleSize}")
        .Positive(nameof(LearningRate), LearningRate)
        .AtLeast(nameof(BatchSize), BatchSize, 1)
        .AtLeast(nameof(Epochs), Epochs, 1)
        .NonNegative(nameof(MaxGradNorm), MaxGradNorm)
        .AtLeast(nameof(MaxLength), MaxLength, 2)
        .NonNegative(nameof(CenterRewardsCoef), CenterRewardsCoef)
        .Check(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), "must be in [0, 1)")
        .AtLeast(nameof(WarmupSteps), WarmupSteps, 0)
        .Check(MinLearningRate >= 0 && MinLearningRate <= LearningRate, nameof(MinLearningRate), "must be in [0, learningRate]")
        .NonNegative(nameof(WeightDecay), WeightDecay)
        .AtLeast(nameof(EvalEvery), EvalEvery, 0)
        .Check(Enum.IsDefined(Pooling), nameof(Pooling), "must be last or mean")
        .Problems;
}

using System.Text.Json.Serialization;

namespace Rlhf.TrainerContracts;

/// <summary>
/// Hyper-parameters of the <c>ppo</c> verb (the job spec's <c>params</c>). Defaults and their sources:
/// docs/ppo-defaults.md. The seed lives in the job spec, not here.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PpoConfig : HeldoutCheckedConfig, ITrainerParams
{
    /// <summary>Adam learning rate of policy and value head.</summary>
    public double LearningRate { get; init; } = 1e-5;

    /// <summary>Global gradient-norm clip; 0 = off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>PPO iterations (rollout, then PPO epochs over it).</summary>
    public int Iterations { get; init; } = 100;

    /// <summary>Prompts (= episodes) sampled per iteration.</summary>
    public int RolloutBatchSize { get; init; } = 64;

    /// <summary>Minibatches per PPO epoch; must divide <see cref="RolloutBatchSize"/>.</summary>
    public int NumMiniBatches { get; init; } = 1;

    /// <summary>Optimisation passes over each rollout batch.</summary>
    public int PpoEpochs { get; init; } = 4;

    /// <summary>Prompts are truncated to their last N tokens.</summary>
    public int MaxPromptTokens { get; init; } = 64;

    /// <summary>Response length limit; responses without EOS by then count as truncated.</summary>
    public int MaxNewTokens { get; init; } = 53;

    /// <summary>Sampling temperature; log-probs must use the same temperature-scaled logits.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Top-k sampling; 0 = off.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling threshold; 1 = off.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>GAE discount γ.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>GAE λ.</summary>
    public double Lambda { get; init; } = 0.95;

    /// <summary>PPO ratio clip ε.</summary>
    public double ClipRange { get; init; } = 0.2;

    /// <summary>Value clip around the rollout values.</summary>
    public double ClipRangeValue { get; init; } = 0.2;

    /// <summary>Weight of the value loss in loss = pgLoss + vfCoef · vfLoss.</summary>
    public double VfCoef { get; init; } = 0.1;

    /// <summary>Whiten advantages over the rollout batch (masked).</summary>
    public bool WhitenAdvantages { get; init; } = true;

    /// <summary>Whiten per-token rewards before GAE (scale only, mean kept).</summary>
    public bool WhitenRewards { get; init; }

    /// <summary>Per-token KL estimator of the reward penalty: k1 | k2 | k3.</summary>
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K1;

    /// <summary>KL coefficient schedule: adaptive | fixed.</summary>
    public KlControlKind KlControl { get; init; } = KlControlKind.Adaptive;

    /// <summary>Initial (or fixed) KL coefficient β.</summary>
    public double InitKlCoef { get; init; } = 0.05;

    /// <summary>Adaptive controller's target sequence KL (nats).</summary>
    public double KlTarget { get; init; } = 6.0;

    /// <summary>Adaptive controller's horizon (episodes).</summary>
    public double KlHorizon { get; init; } = 10_000;

    /// <summary>Penalty for responses without EOS; null = none.</summary>
    public double? MissingEosPenalty { get; init; }

    /// <summary>subtract (score − penalty) | replace (score := −penalty).</summary>
    public MissingEosMode MissingEosMode { get; init; } = MissingEosMode.Subtract;

    /// <summary>Clip reward-model scores to ±scoreClip after normalisation; null = off.</summary>
    public double? ScoreClip { get; init; }

    /// <summary>Normalise scores with the reward model's saved mean/std.</summary>
    public bool NormalizeScores { get; init; } = true;

    /// <summary>PPO-ptx pre-training loss coefficient γ; 0 = plain PPO.</summary>
    public double PtxCoef { get; init; }

    /// <summary>Pre-training sequences per ptx step (used when ptxCoef &gt; 0).</summary>
    public int PtxBatchSize { get; init; } = 8;

    /// <summary>Stop the PPO epochs of an iteration once approx KL &gt; 1.5 · this; null = never.</summary>
    public double? EarlyStopTargetKl { get; init; }

    /// <summary>Weighted reward sources (<see cref="RewardSourceConfig"/>); empty = the reward model's score alone.</summary>
    public IReadOnlyList<RewardSourceConfig> Rewards { get; init; } = [];

    /// <summary>sumThenNormalize | normalizeThenSum (each source standardised over the rollout batch before the weighted sum).</summary>
    public RewardAggregation RewardAggregation { get; init; } = RewardAggregation.SumThenNormalize;

    /// <summary>
    /// Weight λ of the reward ensemble's disagreement: the reward is mean − λ·std over the reward model's heads (each head
    /// standardised; see <c>reward.ensembleSize</c>). 0 = the ensemble mean alone; needs a reward model with ≥ 2 heads when &gt; 0.
    /// </summary>
    public double UncertaintyPenalty { get; init; }

    public IReadOnlyList<string> Validate() => CriticFreeConfig.RewardChecks(new ParamChecks(), Rewards)
        .NonNegative(nameof(UncertaintyPenalty), UncertaintyPenalty)
        .Heldout(this)
        .Positive(nameof(LearningRate), LearningRate)
        .NonNegative(nameof(MaxGradNorm), MaxGradNorm)
        .AtLeast(nameof(Iterations), Iterations, 1)
        .AtLeast(nameof(RolloutBatchSize), RolloutBatchSize, 1)
        .AtLeast(nameof(NumMiniBatches), NumMiniBatches, 1)
        .Check(NumMiniBatches < 1 || RolloutBatchSize % NumMiniBatches == 0, nameof(NumMiniBatches), "must divide rolloutBatchSize")
        .AtLeast(nameof(PpoEpochs), PpoEpochs, 1)
        .AtLeast(nameof(MaxPromptTokens), MaxPromptTokens, 1)
        .AtLeast(nameof(MaxNewTokens), MaxNewTokens, 1)
        .Positive(nameof(Temperature), Temperature)
        .AtLeast(nameof(TopK), TopK, 0)
        .Check(TopP is > 0 and <= 1, nameof(TopP), "must be in (0, 1]")
        .UnitInterval(nameof(Gamma), Gamma)
        .UnitInterval(nameof(Lambda), Lambda)
        .OpenUnit(nameof(ClipRange), ClipRange)
        .Positive(nameof(ClipRangeValue), ClipRangeValue)
        .NonNegative(nameof(VfCoef), VfCoef)
        .NonNegative(nameof(InitKlCoef), InitKlCoef)
        .Positive(nameof(KlTarget), KlTarget)
        .Positive(nameof(KlHorizon), KlHorizon)
        .Check(MissingEosPenalty is null or >= 0, nameof(MissingEosPenalty), "must be >= 0")
        .Check(ScoreClip is null or > 0, nameof(ScoreClip), "must be > 0")
        .NonNegative(nameof(PtxCoef), PtxCoef)
        .AtLeast(nameof(PtxBatchSize), PtxBatchSize, 1)
        .Check(EarlyStopTargetKl is null or > 0, nameof(EarlyStopTargetKl), "must be > 0")
        .Problems;
}

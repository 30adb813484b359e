using System.Text.Json.Serialization;

namespace Rlhf.TrainerContracts;

/// <summary>
/// What the critic-free verbs (<c>grpo</c>, <c>rloo</c>) share: G completions per prompt from the KV-cache sampler,
/// scored by the reward model, optimised with a clipped surrogate for μ passes; no value model. Defaults and their
/// sources: docs/ppo-defaults.md (TRL <c>grpo_config.py</c> / <c>rloo_config.py</c>).
/// </summary>
public abstract record CriticFreeConfig : HeldoutCheckedConfig, ITrainerParams
{
    /// <summary>AdamW learning rate (TRL default 1e-6, sized for billion-parameter models).</summary>
    public double LearningRate { get; init; } = 1e-6;

    /// <summary>Global gradient-norm clip; 0 = off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Training iterations: one rollout of <see cref="PromptsPerIteration"/> × <see cref="NumGenerations"/> completions each.</summary>
    public int Iterations { get; init; } = 100;

    /// <summary>Distinct prompts per iteration.</summary>
    public int PromptsPerIteration { get; init; } = 8;

    /// <summary>G: completions sampled per prompt (the group a baseline is taken over).</summary>
    public abstract int NumGenerations { get; init; }

    /// <summary>μ: optimisation passes over each rollout (1 = on-policy; the ratio then starts at 1).</summary>
    public int NumIterations { get; init; } = 1;

    /// <summary>Minibatches per pass; must divide the rollout's rows (prompts × G) and keep whole groups.</summary>
    public int NumMiniBatches { get; init; } = 1;

    /// <summary>Prompts are truncated to their last N tokens.</summary>
    public int MaxPromptTokens { get; init; } = 64;

    /// <summary>Completion length limit; completions without EOS by then count as clipped.</summary>
    public int MaxNewTokens { get; init; } = 53;

    /// <summary>Sampling temperature; log-probs use the same temperature-scaled logits.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Top-k sampling; 0 = off.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling threshold; 1 = off.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>β of the KL term to the frozen reference (the input policy). 0 loads no reference model.</summary>
    public abstract double Beta { get; init; }

    /// <summary>Lower clip ε: the ratio is clipped to [1 − ε, 1 + ε_high].</summary>
    public double Epsilon { get; init; } = 0.2;

    /// <summary>Upper clip ε_high; null = <see cref="Epsilon"/> (DAPO recommends 0.28).</summary>
    public double? EpsilonHigh { get; init; }

    /// <summary>Normalise reward-model scores with the reward model's saved mean/std.</summary>
    public bool NormalizeScores { get; init; } = true;

    /// <summary>Subtracted from the score of a completion without EOS; null = none (TRL <c>missing_eos_penalty</c>).</summary>
    public double? MissingEosPenalty { get; init; }

    /// <summary>Weighted reward sources (<see cref="RewardSourceConfig"/>); empty = the reward model's score alone.</summary>
    public IReadOnlyList<RewardSourceConfig> Rewards { get; init; } = [];

    /// <summary>sumThenNormalize | normalizeThenSum: how several sources become one reward (TRL <c>multi_objective_aggregation</c>).</summary>
    public RewardAggregation RewardAggregation { get; init; } = RewardAggregation.SumThenNormalize;

    /// <summary>Weight λ of the reward ensemble's disagreement: reward = mean − λ·std over the reward model's standardised heads (as PPO's).</summary>
    public double UncertaintyPenalty { get; init; }

    [JsonIgnore]
    public double UpperClip => EpsilonHigh ?? Epsilon;

    public virtual IReadOnlyList<string> Validate() => Checks().Problems;

    private protected ParamChecks Checks() => RewardChecks(new ParamChecks(), Rewards)
        .Positive(nameof(LearningRate), LearningRate)
        .NonNegative(nameof(MaxGradNorm), MaxGradNorm)
        .AtLeast(nameof(Iterations), Iterations, 1)
        .AtLeast(nameof(PromptsPerIteration), PromptsPerIteration, 1)
        .AtLeast(nameof(NumGenerations), NumGenerations, 2)
        .AtLeast(nameof(NumIterations), NumIterations, 1)
        .AtLeast(nameof(NumMiniBatches), NumMiniBatches, 1)
        .Check(NumMiniBatches < 1 || PromptsPerIteration % NumMiniBatches == 0, nameof(NumMiniBatches), "must divide promptsPerIteration (minibatches keep whole groups)")
        .AtLeast(nameof(MaxPromptTokens), MaxPromptTokens, 1)
        .AtLeast(nameof(MaxNewTokens), MaxNewTokens, 1)
        .Positive(nameof(Temperature), Temperature)
        .AtLeast(nameof(TopK), TopK, 0)
        .Check(TopP is > 0 and <= 1, nameof(TopP), "must be in (0, 1]")
        .NonNegative(nameof(Beta), Beta)
        .OpenUnit(nameof(Epsilon), Epsilon)
        .Check(EpsilonHigh is null or (> 0 and < 10), nameof(EpsilonHigh), "must be in (0, 10)")
        .Check(MissingEosPenalty is null or >= 0, nameof(MissingEosPenalty), "must be >= 0")
        .NonNegative(nameof(UncertaintyPenalty), UncertaintyPenalty)
        .Heldout(this);

    /// <summary>Adds the problems of <c>params.rewards</c> (shared with PPO).</summary>
    internal static ParamChecks RewardChecks(ParamChecks checks, IReadOnlyList<RewardSourceConfig>? rewards)
    {
        foreach (var problem in (rewards ?? []).SelectMany((r, i) => r.Problems(i)))
        {
            checks.Add(problem);
        }

        return checks;
    }
}

/// <summary>Hyper-parameters of the <c>grpo</c> verb (Shao et al. 2024; TRL <c>GRPOConfig</c>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record GrpoConfig : CriticFreeConfig
{
    /// <summary>G (TRL default 8).</summary>
    public override int NumGenerations { get; init; } = 8;

    /// <summary>β of the k3 KL term in the loss (TRL default 0: no reference model).</summary>
    public override double Beta { get; init; }

    /// <summary>group | batch | none: what the centred reward is divided by.</summary>
    public ScaleRewards ScaleRewards { get; init; } = ScaleRewards.Group;

    /// <summary>grpo | dr_grpo | dapo: how token losses are averaged (TRL default dapo).</summary>
    public GrpoLossType LossType { get; init; } = GrpoLossType.Dapo;
}

/// <summary>Hyper-parameters of the <c>rloo</c> verb (Ahmadian et al. 2024; TRL <c>RLOOConfig</c>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RlooConfig : CriticFreeConfig
{
    /// <summary>G (TRL default 2).</summary>
    public override int NumGenerations { get; init; } = 2;

    /// <summary>β of the k1 sequence KL subtracted from the reward (TRL default 0.05).</summary>
    public override double Beta { get; init; } = 0.05;

    /// <summary>Whiten the leave-one-out advantages over the batch (TRL default false).</summary>
    public bool NormalizeAdvantages { get; init; }
}

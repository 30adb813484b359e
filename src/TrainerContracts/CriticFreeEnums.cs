using System.Text.Json.Serialization;

namespace Rlhf.TrainerContracts;

/// <summary>How GRPO scales the group-centred rewards (TRL <c>scale_rewards</c>).</summary>
public enum ScaleRewards
{
    /// <summary>Divide by the std of the completion's own group (GRPO, DeepSeekMath).</summary>
    Group,

    /// <summary>Divide by the std of the whole batch (Hu et al., "REINFORCE++"; TRL "batch").</summary>
    Batch,

    /// <summary>Centre only (Dr. GRPO, Liu et al. 2025: the std term biases towards easy or hard prompts).</summary>
    None,
}

/// <summary>How several weighted reward sources become one reward per completion (TRL <c>multi_objective_aggregation</c>).</summary>
public enum RewardAggregation
{
    /// <summary>r = Σ_k w_k·r_k, then the GRPO advantage of r.</summary>
    SumThenNormalize,

    /// <summary>Each source normalised within its group first, r = Σ_k w_k·(r_k − mean_k)/(std_k + ε), then batch-whitened (GDPO).</summary>
    NormalizeThenSum,
}

/// <summary>How GRPO averages its per-token losses (TRL <c>loss_type</c>).</summary>
public enum GrpoLossType
{
    /// <summary>Mean over each sequence's tokens, then over sequences (the GRPO paper; biased towards short answers).</summary>
    Grpo,

    /// <summary>Sum over all tokens / (B · maxNewTokens): a constant normaliser, no length bias (Liu et al. 2025, Dr. GRPO).</summary>
    [JsonStringEnumMemberName("dr_grpo")]
    DrGrpo,

    /// <summary>Sum over all tokens / number of tokens in the batch (Yu et al. 2025, DAPO; TRL's default).</summary>
    Dapo,
}

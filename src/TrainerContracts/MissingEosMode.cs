namespace Rlhf.TrainerContracts;

/// <summary>How a response that never emitted EOS (truncated at the length limit) is penalised.</summary>
public enum MissingEosMode
{
    /// <summary>score − penalty (TRL <c>missing_eos_penalty</c>).</summary>
    Subtract,

    /// <summary>score := −penalty (lm-human-preferences <c>penalty_reward_value</c> = −penalty).</summary>
    Replace,
}

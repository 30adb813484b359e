namespace Rlhf.TrainerContracts;

/// <summary>
/// The params of the online verbs' held-out check, the base of their configs (<see cref="PpoConfig"/>, <see cref="CriticFreeConfig"/>;
/// issue 14: keep the best checkpoint instead of the last): every <see cref="HeldoutEvery"/> iterations, and before the first
/// and after the last, <see cref="HeldoutSamplesPerPrompt"/> sampled completions of each of the last <see cref="HeldoutPrompts"/>
/// prompts of <c>inputs.heldout</c> (an evaluation limited to the file's first prompts never sees them), same seed every
/// time, scored by KL to the reference, the reward model, distinct-n against the reference's and (with <c>inputs.lexicons</c>)
/// the gold. The policy written is the best check's (<see cref="KeepBest"/>) within the limits.
/// </summary>
public abstract record HeldoutCheckedConfig
{
    /// <summary>A check every N iterations; 0 = off.</summary>
    public int HeldoutEvery { get; init; }

    /// <summary>Prompts each held-out check samples: the last N of <c>inputs.heldout</c>.</summary>
    public int HeldoutPrompts { get; init; } = 64;

    /// <summary>
    /// Completions per prompt at each check. More than 1 lets the distinct-n floor see a prompt's samples repeating each
    /// other, as the evaluation (4 per prompt by default) does.
    /// </summary>
    public int HeldoutSamplesPerPrompt { get; init; } = 1;

    /// <summary>Which check's policy is written: <c>proxy</c> (highest reward-model score), <c>gold</c> (highest gold; needs <c>inputs.lexicons</c>) or <c>last</c>.</summary>
    public KeepBest KeepBest { get; init; } = KeepBest.Proxy;

    /// <summary>Checks whose held-out KL to the reference exceeds this (nats) cannot be kept (a KL budget, Gao et al. 2022); null = no budget.</summary>
    public double? HeldoutMaxKl { get; init; }

    /// <summary>
    /// Checks whose distinct-1 or distinct-2 falls below this fraction of the reference's, on the same prompts and seed,
    /// cannot be kept: a collapsed vocabulary is what the evaluation's <c>distinct_collapse</c> alarm flags, and the proxy
    /// can reward it; null = not checked.
    /// </summary>
    public double? HeldoutMinDistinctRatio { get; init; }
}

internal static class HeldoutCheckParams
{
    /// <summary>Adds the problems of the held-out check's params.</summary>
    public static ParamChecks Heldout(this ParamChecks checks, HeldoutCheckedConfig p) => checks
        .AtLeast(nameof(p.HeldoutEvery), p.HeldoutEvery, 0)
        .AtLeast(nameof(p.HeldoutPrompts), p.HeldoutPrompts, 1)
        .AtLeast(nameof(p.HeldoutSamplesPerPrompt), p.HeldoutSamplesPerPrompt, 1)
        .Check(Enum.IsDefined(p.KeepBest), nameof(p.KeepBest), "must be proxy, gold or last")
        .Check(p.HeldoutMaxKl is null or > 0, nameof(p.HeldoutMaxKl), "must be > 0")
        .Check(p.HeldoutMinDistinctRatio is null or (> 0 and < 1), nameof(p.HeldoutMinDistinctRatio), "must be in (0, 1)");
}

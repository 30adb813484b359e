using System.Text.Json.Nodes;
using Rlhf.Core.Jobs;

namespace Rlhf.Core.Runs;

/// <summary>What the policy-optimisation trainer job learns from.</summary>
public enum PolicySignal
{
    /// <summary>Online RL: samples from the policy on the train prompts, scored by the reward model.</summary>
    RewardModel,

    /// <summary>Offline: the labeled preference pairs themselves (no reward model in the loss).</summary>
    Preferences,
}

/// <summary>
/// One row of the algorithm table: the trainer verb and step it runs, where its parameters live in the run spec, what it
/// learns from, whether it takes the pre-training corpus (PPO-ptx), and the report section that shows it.
/// </summary>
public sealed record PolicyAlgorithmInfo(
    PolicyAlgorithm Algorithm,
    string Verb,
    string Step,
    string ParamsField,
    PolicySignal Signal,
    bool TakesPretrainCorpus,
    string ReportSection)
{
    /// <summary>The spec's parameter block of this algorithm (e.g. <c>policy.grpo</c>).</summary>
    public JsonObject Params(PolicySpec policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Algorithm switch
        {
            PolicyAlgorithm.Ppo => policy.Ppo,
            PolicyAlgorithm.Dpo => policy.Dpo,
            PolicyAlgorithm.Grpo => policy.Grpo,
            PolicyAlgorithm.Rloo => policy.Rloo,
            _ => throw PolicyAlgorithms.Unknown(Algorithm),
        };
    }
}

/// <summary>
/// The algorithm table, the one place an algorithm is wired: <see cref="For"/> is exhaustive, so an algorithm the table
/// lacks is an error at validation (<see cref="RunSpecValidator"/>), never a fall-through to another algorithm.
/// </summary>
public static class PolicyAlgorithms
{
    public static IReadOnlyList<PolicyAlgorithmInfo> All { get; } = [.. Enum.GetValues<PolicyAlgorithm>().Select(For)];

    public static PolicyAlgorithmInfo For(PolicyAlgorithm algorithm) => algorithm switch
    {
        PolicyAlgorithm.Ppo => new(algorithm, JobVerbs.Ppo, "ppo", "policy.ppo", PolicySignal.RewardModel, TakesPretrainCorpus: true, "PPO"),
        PolicyAlgorithm.Dpo => new(algorithm, JobVerbs.Dpo, "dpo", "policy.dpo", PolicySignal.Preferences, TakesPretrainCorpus: false, "DPO"),
        PolicyAlgorithm.Grpo => new(algorithm, JobVerbs.Grpo, "grpo", "policy.grpo", PolicySignal.RewardModel, TakesPretrainCorpus: false, "GRPO"),
        PolicyAlgorithm.Rloo => new(algorithm, JobVerbs.Rloo, "rloo", "policy.rloo", PolicySignal.RewardModel, TakesPretrainCorpus: false, "RLOO"),
        _ => throw Unknown(algorithm),
    };

    /// <summary>The row whose step is <paramref name="step"/>, or null.</summary>
    public static PolicyAlgorithmInfo? ForStep(string step) => All.FirstOrDefault(a => a.Step == step);

    internal static ArgumentOutOfRangeException Unknown(PolicyAlgorithm algorithm) =>
        new(nameof(algorithm), algorithm, $"policy.algorithm {algorithm} has no row in the algorithm table (known: {string.Join(", ", Enum.GetNames<PolicyAlgorithm>())}).");
}

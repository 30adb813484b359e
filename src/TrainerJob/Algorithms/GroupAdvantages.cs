using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>Advantages of a GRPO batch (N = prompts × G rows, in prompt-major order) and what the metrics need.</summary>
/// <param name="Advantages">(N) per-completion advantage, broadcast over its tokens by the loss.</param>
/// <param name="Rewards">(N) the aggregated reward Σ_k w_k·r_k (for logging).</param>
/// <param name="StdIsZero">(N) bool: the std the row was scaled by is zero (every completion of the group scored alike).</param>
/// <param name="GroupStd">(N / G) unbiased std of the aggregated reward within each group.</param>
public sealed record GroupAdvantageResult(Tensor Advantages, Tensor Rewards, Tensor StdIsZero, Tensor GroupStd);

/// <summary>
/// Critic-free baselines over groups of G completions of the same prompt (rows g·G … g·G + G − 1 are group g).
/// GRPO (Shao et al. 2024, TRL <c>GRPOTrainer</c>): Â_i = (r_i − mean_group) / (std + 1e-4), std unbiased.
/// RLOO (Ahmadian et al. 2024, TRL <c>RLOOTrainer</c>): Â_i = r_i − mean of the other G − 1 rewards of the group.
/// </summary>
public static class GroupAdvantages
{
    /// <summary>TRL's ε in (r − mean) / (std + ε).</summary>
    public const double StdEpsilon = 1e-4;

    /// <summary>GRPO advantages of several reward sources: rewards (N, K), weights (K) → <see cref="GroupAdvantageResult"/>.</summary>
    public static GroupAdvantageResult Grpo(Tensor rewardsPerSource, IReadOnlyList<double> weights, int groupSize, ScaleRewards scale, RewardAggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(rewardsPerSource);
        ArgumentNullException.ThrowIfNull(weights);
        if (rewardsPerSource.dim() != 2 || rewardsPerSource.shape[1] != weights.Count)
        {
            throw new ArgumentException($"rewardsPerSource must be (N, {weights.Count}); got ({string.Join(", ", rewardsPerSource.shape)}).", nameof(rewardsPerSource));
        }

        var n = rewardsPerSource.shape[0];
        RequireGroups(n, groupSize);
        var w = tensor(weights.ToArray(), dtype: rewardsPerSource.dtype, device: rewardsPerSource.device);      // (K)
        var rewards = (rewardsPerSource * w).sum(1);                                                              // (N)
        var groupStd = Grouped(rewards, groupSize).std(1);                                                        // (N / G), unbiased
        if (aggregation == RewardAggregation.NormalizeThenSum)
        {
            // each source normalised within its group, then summed and whitened over the batch (TRL normalize_then_sum)
            var grouped = rewardsPerSource.reshape(n / groupSize, groupSize, weights.Count);                      // (P, G, K)
            var perSource = (grouped - grouped.mean([1L], keepdim: true)) / (grouped.std(1, keepdim: true) + StdEpsilon);
            var combined = (perSource.reshape(n, weights.Count) * w).sum(1);                                     // (N)
            var batchStd = combined.std().expand(n);                                                              // (N)
            return new GroupAdvantageResult((combined - combined.mean()) / (batchStd + StdEpsilon), rewards, IsZero(batchStd), groupStd);
        }

        var centred = rewards - Grouped(rewards, groupSize).mean([1L], keepdim: true).expand(-1, groupSize).reshape(n); // (N)
        var std = scale == ScaleRewards.Batch ? rewards.std().expand(n) : groupStd.repeat_interleave(groupSize);       // (N)
        var advantages = scale == ScaleRewards.None ? centred : centred / (std + StdEpsilon);
        return new GroupAdvantageResult(advantages, rewards, IsZero(std), groupStd);
    }

    /// <summary>
    /// RLOO: Â_i = r_i − (Σ_group r − r_i) / (G − 1): rewards (N) → (N). With <paramref name="normalize"/> the advantages
    /// are then whitened over the batch, (Â − mean) / (std + 1e-4) (TRL <c>normalize_advantages</c>).
    /// </summary>
    public static Tensor Rloo(Tensor rewards, int groupSize, bool normalize)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        if (rewards.dim() != 1)
        {
            throw new ArgumentException($"rewards must be (N); got ({string.Join(", ", rewards.shape)}).", nameof(rewards));
        }

        var n = rewards.shape[0];
        RequireGroups(n, groupSize);
        if (groupSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize, "RLOO needs at least 2 completions per prompt.");
        }

        var grouped = Grouped(rewards, groupSize);                                                               // (P, G)
        var baseline = (grouped.sum(1, keepdim: true) - grouped) / (groupSize - 1);                              // (P, G)
        var advantages = (grouped - baseline).reshape(n);                                                         // (N)
        return normalize ? (advantages - advantages.mean()) / (advantages.std() + StdEpsilon) : advantages;
    }

    private static Tensor Grouped(Tensor rows, int groupSize) => rows.reshape(rows.shape[0] / groupSize, groupSize);

    private static Tensor IsZero(Tensor std) => std.abs().le(1e-8);

    private static void RequireGroups(long rows, int groupSize)
    {
        if (groupSize < 1 || rows == 0 || rows % groupSize != 0)
        {
            throw new ArgumentException($"{rows} rows cannot be split into groups of {groupSize}.");
        }
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>Reward-model loss () and float metrics <c>rm/loss, rm/accuracy, rm/margin, rm/chosen, rm/rejected</c>.</summary>
public sealed record RewardLossResult(Tensor Loss, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// Bradley–Terry pairwise loss of a reward model: <c>−logsigmoid(rChosen − rRejected − margin)</c>,
/// plus the optional reward-centring term <c>centerCoef · (rChosen + rRejected)²</c>
/// (Eisenstein et al. 2023; TRL <c>center_rewards_coefficient</c>).
/// Without groups both terms are averaged over pairs; with groups (K-wise rankings) they are
/// averaged within each group, then across groups (InstructGPT: one prompt's C(K,2) pairs are one batch element).
/// </summary>
public static class RewardModelLoss
{
    /// <param name="rChosen">(P) rewards of the preferred items.</param>
    /// <param name="rRejected">(P) rewards of the other items.</param>
    /// <param name="margin">Optional (P) required reward gap (e.g. from label strength).</param>
    /// <param name="centerCoef">Weight of the centring term; 0 = off.</param>
    /// <param name="group">Optional (P) int64 group of each pair, every group 0…G−1 non-empty.</param>
    public static RewardLossResult Compute(
        Tensor rChosen, Tensor rRejected, Tensor? margin = null, double centerCoef = 0, Tensor? group = null)
    {
        MaskedOps.RequireSameShape(rChosen, rRejected, nameof(rChosen), nameof(rRejected));
        var gap = rChosen - rRejected; // (P)
        var perPair = -nn.functional.logsigmoid(margin is null ? gap : gap - margin); // (P)
        if (centerCoef != 0)
        {
            perPair = perPair + centerCoef * (rChosen + rRejected).square();
        }

        var loss = group is null ? perPair.mean() : GroupMean(perPair, group);

        using var noGrad = no_grad();
        var metrics = new Dictionary<string, double>
        {
            ["rm/loss"] = MaskedOps.ToDouble(loss),
            ["rm/accuracy"] = MaskedOps.ToDouble(Accuracy(rChosen, rRejected)),
            ["rm/margin"] = MaskedOps.ToDouble(gap.mean()),
            ["rm/chosen"] = MaskedOps.ToDouble(rChosen.mean()),
            ["rm/rejected"] = MaskedOps.ToDouble(rRejected.mean()),
        };
        return new RewardLossResult(loss, metrics);
    }

    /// <summary>Fraction of pairs ranked correctly, rChosen &gt; rRejected (ties count as wrong): ().</summary>
    public static Tensor Accuracy(Tensor rChosen, Tensor rRejected)
    {
        using var noGrad = no_grad();
        return rChosen.gt(rRejected).to_type(ScalarType.Float32).mean();
    }

    /// <summary>
    /// The loss of a reward ensemble: each head k's grouped loss (as <see cref="Compute"/>'s) weighted by its own bootstrap
    /// weights over the groups, Σ_g w_gk·ℓ_gk / Σ_g w_gk, then averaged over the heads with any weight (a head whose
    /// weights are all 0 sits the batch out). rChosen, rRejected (P, K); group (P) int64; weights (G, K) → ().
    /// </summary>
    public static Tensor EnsembleLoss(Tensor rChosen, Tensor rRejected, Tensor group, Tensor weights, double centerCoef = 0)
    {
        MaskedOps.RequireSameShape(rChosen, rRejected, nameof(rChosen), nameof(rRejected));
        var perPair = -nn.functional.logsigmoid(rChosen - rRejected);                       // (P, K)
        if (centerCoef != 0)
        {
            perPair = perPair + centerCoef * (rChosen + rRejected).square();
        }

        var perGroup = GroupMeans(perPair, group);                                          // (G, K)
        var total = weights.sum(dim: 0);                                                     // (K); sum(0) would bind to sum(ScalarType)
        var used = total.gt(0);
        var perHead = (perGroup * weights).sum(dim: 0) / total.clamp_min(1e-12);            // (K)
        return perHead.masked_select(used).mean();
    }

    /// <summary>Mean within each group, then mean over groups: values (P), group (P) int64 → ().</summary>
    public static Tensor GroupMean(Tensor values, Tensor group)
    {
        MaskedOps.RequireSameShape(values, group, nameof(values), nameof(group));
        var groups = group.max().item<long>() + 1;
        var index = group.to(values.device);
        var sums = zeros(groups, dtype: values.dtype, device: values.device).index_add(0, index, values, 1); // (G)
        var counts = zeros(groups, dtype: values.dtype, device: values.device).index_add(0, index, ones_like(values), 1); // (G)
        if (counts.eq(0).any().item<bool>())
        {
            throw new ArgumentException("every group 0…G−1 needs at least one pair.", nameof(group));
        }

        return (sums / counts).mean();
    }

    /// <summary>Mean within each group, per column: values (P, K), group (P) int64 → (G, K); every group needs a pair.</summary>
    public static Tensor GroupMeans(Tensor values, Tensor group)
    {
        var groups = group.max().item<long>() + 1;
        var index = group.to(values.device);
        var sums = zeros([groups, values.shape[1]], dtype: values.dtype, device: values.device).index_add(0, index, values, 1); // (G, K)
        var counts = zeros(groups, dtype: values.dtype, device: values.device).index_add(0, index, ones(values.shape[0], dtype: values.dtype, device: values.device), 1); // (G)
        if (counts.eq(0).any().item<bool>())
        {
            throw new ArgumentException("every group 0…G−1 needs at least one pair.", nameof(group));
        }

        return sums / counts.unsqueeze(1);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>A critic-free loss () with gradient and its metrics under TRL's names.</summary>
public sealed record CriticFreeLoss(Tensor Loss, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// The clipped surrogates of GRPO (token-level ratio) and RLOO (sequence-level ratio), written as TRL's trainers write
/// them, with the asymmetric clip range [1 − ε, 1 + ε_high] of DAPO.
/// </summary>
public static class CriticFreeLosses
{
    /// <summary>
    /// GRPO: <c>ρ_t = exp(log π − log π_old); loss_t = −min(ρ_t·Â, clip(ρ_t, 1 − ε, 1 + ε_high)·Â) + β·k3_t</c>, with
    /// <c>k3_t = exp(ref − log π) − (ref − log π) − 1</c>, aggregated by <paramref name="lossType"/>.
    /// logProbs, oldLogProbs, mask (B, T); advantages (B); refLogProbs (B, T) or null when β = 0.
    /// </summary>
    public static CriticFreeLoss Grpo(
        Tensor logProbs, Tensor oldLogProbs, Tensor? refLogProbs, Tensor advantages, Tensor mask,
        GrpoLossType lossType, double epsilon, double epsilonHigh, double beta, int maxNewTokens)
    {
        MaskedOps.RequireSameShape(logProbs, oldLogProbs, nameof(logProbs), nameof(oldLogProbs));
        MaskedOps.RequireSameShape(logProbs, mask, nameof(logProbs), nameof(mask));
        var m = MaskedOps.AsFloat(mask, logProbs);
        var adv = advantages.to_type(logProbs.dtype).unsqueeze(1);                                  // (B, 1)
        var ratio = (logProbs - oldLogProbs).exp();                                                  // (B, T)
        var clipped = ratio.clamp(1 - epsilon, 1 + epsilonHigh);                                     // (B, T)
        var perTokenLoss = -minimum(ratio * adv, clipped * adv);                                     // (B, T)
        Tensor? kl = null;
        if (beta != 0)
        {
            var refLp = refLogProbs ?? throw new ArgumentNullException(nameof(refLogProbs), "β ≠ 0 needs the reference log-probs.");
            MaskedOps.RequireSameShape(logProbs, refLp, nameof(logProbs), nameof(refLogProbs));
            kl = KlEstimators.PerToken(logProbs, refLp, KlEstimator.K3);                              // (B, T)
            perTokenLoss = perTokenLoss + beta * kl;
        }

        var loss = lossType switch
        {
            GrpoLossType.Grpo => ((perTokenLoss * m).sum(1) / m.sum(1).clamp_min(1)).mean(),
            GrpoLossType.DrGrpo => (perTokenLoss * m).sum() / (perTokenLoss.shape[0] * (double)maxNewTokens),
            GrpoLossType.Dapo => (perTokenLoss * m).sum() / m.sum().clamp_min(1),
            _ => throw new ArgumentOutOfRangeException(nameof(lossType), lossType, "Unknown GRPO loss type."),
        };

        var metrics = ClipMetrics(ratio, adv.expand_as(ratio), m, epsilon, epsilonHigh);
        metrics["loss/policy"] = MaskedOps.ToDouble(loss);
        if (kl is not null)
        {
            metrics["kl"] = MaskedOps.ToDouble(MaskedOps.MaskedMean(kl.detach(), m));
        }

        return new CriticFreeLoss(loss, metrics);
    }

    /// <summary>
    /// RLOO: one action per completion. <c>ρ = exp(Σ_t (log π − log π_old)·mask); loss = −mean(min(ρ·Â, clip(ρ, 1 − ε, 1 + ε_high)·Â))</c>.
    /// The KL penalty is already in the rewards behind Â (k1, subtracted before the baseline). logProbs, oldLogProbs, mask (B, T); advantages (B).
    /// </summary>
    public static CriticFreeLoss Rloo(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask, double epsilon, double epsilonHigh)
    {
        MaskedOps.RequireSameShape(logProbs, oldLogProbs, nameof(logProbs), nameof(oldLogProbs));
        MaskedOps.RequireSameShape(logProbs, mask, nameof(logProbs), nameof(mask));
        var m = MaskedOps.AsFloat(mask, logProbs);
        var adv = advantages.to_type(logProbs.dtype);                                                // (B)
        var ratio = ((logProbs - oldLogProbs) * m).sum(1).exp();                                     // (B)
        var clipped = ratio.clamp(1 - epsilon, 1 + epsilonHigh);                                     // (B)
        var loss = (-minimum(ratio * adv, clipped * adv)).mean();
        var metrics = ClipMetrics(ratio, adv, ones_like(ratio), epsilon, epsilonHigh);
        metrics["loss/policy"] = MaskedOps.ToDouble(loss);
        return new CriticFreeLoss(loss, metrics);
    }

    /// <summary>TRL's clip metrics: low = ρ &lt; 1 − ε with Â &lt; 0, high = ρ &gt; 1 + ε_high with Â &gt; 0, region = either; means over the mask.</summary>
    private static Dictionary<string, double> ClipMetrics(Tensor ratio, Tensor advantages, Tensor mask, double epsilon, double epsilonHigh)
    {
        using var noGrad = no_grad();
        var r = ratio.detach();
        var low = r.lt(1 - epsilon).logical_and(advantages.lt(0));
        var high = r.gt(1 + epsilonHigh).logical_and(advantages.gt(0));
        double Mean(Tensor flags) => MaskedOps.ToDouble(MaskedOps.MaskedMean(flags.to_type(mask.dtype), mask));
        return new Dictionary<string, double>
        {
            ["clip_ratio/low_mean"] = Mean(low),
            ["clip_ratio/high_mean"] = Mean(high),
            ["clip_ratio/region_mean"] = Mean(low.logical_or(high)),
        };
    }
}

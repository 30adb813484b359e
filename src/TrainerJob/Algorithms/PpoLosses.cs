using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>A clipped surrogate: the loss () with gradient and the fraction of masked tokens where clipping was active ().</summary>
public sealed record ClippedLoss(Tensor Loss, Tensor ClipFrac);

/// <summary>
/// One PPO minibatch; every tensor is (B, T) over response tokens.
/// </summary>
/// <param name="LogProbs">log π_θ of the sampled tokens under the current policy (with gradient).</param>
/// <param name="OldLogProbs">log π_old recorded at rollout time.</param>
/// <param name="Advantages">(whitened) GAE advantages.</param>
/// <param name="Values">Current value predictions V_θ (with gradient).</param>
/// <param name="OldValues">Values recorded at rollout time.</param>
/// <param name="Returns">GAE returns (value targets).</param>
/// <param name="Mask">1 for response tokens, 0 for padding.</param>
/// <param name="Entropy">Optional per-token entropy of π_θ, for the metric only.</param>
public sealed record PpoBatch(
    Tensor LogProbs,
    Tensor OldLogProbs,
    Tensor Advantages,
    Tensor Values,
    Tensor OldValues,
    Tensor Returns,
    Tensor Mask,
    Tensor? Entropy = null);

/// <summary>PPO loss tensors () and float metrics under namespaced keys (<see cref="PpoLosses"/>).</summary>
public sealed record PpoLossResult(Tensor PolicyLoss, Tensor ValueLoss, Tensor Loss, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Clipped PPO objectives (Schulman et al. 2017) as TRL and CleanRL write them, masked per token.</summary>
public static class PpoLosses
{
    /// <summary>
    /// <c>ratio = exp(log π − log π_old); pgLoss1 = −adv·ratio; pgLoss2 = −adv·clamp(ratio, 1 − clip, 1 + clip);
    /// pgLoss = masked_mean(max(pgLoss1, pgLoss2))</c>; clipfrac = masked_mean(pgLoss2 &gt; pgLoss1).
    /// </summary>
    public static ClippedLoss PolicyLoss(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask, double clipRange)
    {
        MaskedOps.RequireSameShape(logProbs, oldLogProbs, nameof(logProbs), nameof(oldLogProbs));
        MaskedOps.RequireSameShape(logProbs, advantages, nameof(logProbs), nameof(advantages));
        var ratio = (logProbs - oldLogProbs).exp(); // (B, T)
        var pgLoss1 = -advantages * ratio; // (B, T)
        var pgLoss2 = -advantages * ratio.clamp(1 - clipRange, 1 + clipRange); // (B, T)
        var pgLoss = MaskedOps.MaskedMean(maximum(pgLoss1, pgLoss2), mask);
        return new ClippedLoss(pgLoss, ClipFraction(pgLoss2, pgLoss1, mask));
    }

    /// <summary>
    /// <c>vpredClipped = oldValues + clamp(vpred − oldValues, −c, c);
    /// vfLoss = ½ · masked_mean(max((vpred − R)², (vpredClipped − R)²))</c>; clipfrac = masked_mean(clipped loss &gt; unclipped).
    /// </summary>
    public static ClippedLoss ValueLoss(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double clipRangeValue)
    {
        MaskedOps.RequireSameShape(values, oldValues, nameof(values), nameof(oldValues));
        MaskedOps.RequireSameShape(values, returns, nameof(values), nameof(returns));
        var vpredClipped = oldValues + (values - oldValues).clamp(-clipRangeValue, clipRangeValue); // (B, T)
        var vfLoss1 = (values - returns).square(); // (B, T)
        var vfLoss2 = (vpredClipped - returns).square(); // (B, T)
        var vfLoss = 0.5 * MaskedOps.MaskedMean(maximum(vfLoss1, vfLoss2), mask);
        return new ClippedLoss(vfLoss, ClipFraction(vfLoss2, vfLoss1, mask));
    }

    /// <summary>
    /// Policy and value losses, <c>loss = pgLoss + vfCoef · vfLoss</c>, and the metrics
    /// <c>loss/policy, loss/value, loss/total, policy/approxkl, policy/approxkl_k3, policy/clipfrac,
    /// policy/entropy (when given), val/clipfrac, val/explained_var, val/ratio</c>.
    /// Reading the metrics synchronises with the device once per key.
    /// </summary>
    public static PpoLossResult Compute(PpoBatch batch, double clipRange, double clipRangeValue, double vfCoef)
    {
        var policy = PolicyLoss(batch.LogProbs, batch.OldLogProbs, batch.Advantages, batch.Mask, clipRange);
        var value = ValueLoss(batch.Values, batch.OldValues, batch.Returns, batch.Mask, clipRangeValue);
        var loss = policy.Loss + vfCoef * value.Loss;

        var metrics = new Dictionary<string, double>
        {
            ["loss/policy"] = MaskedOps.ToDouble(policy.Loss),
            ["loss/value"] = MaskedOps.ToDouble(value.Loss),
            ["loss/total"] = MaskedOps.ToDouble(loss),
            ["policy/clipfrac"] = MaskedOps.ToDouble(policy.ClipFrac),
            ["val/clipfrac"] = MaskedOps.ToDouble(value.ClipFrac),
        };
        using (no_grad())
        {
            var logProbs = batch.LogProbs.detach();
            metrics["policy/approxkl"] = MaskedOps.ToDouble(PpoDiagnostics.ApproxKl(logProbs, batch.OldLogProbs, batch.Mask));
            metrics["policy/approxkl_k3"] = MaskedOps.ToDouble(PpoDiagnostics.ApproxKlK3(logProbs, batch.OldLogProbs, batch.Mask));
            metrics["val/explained_var"] = MaskedOps.ToDouble(PpoDiagnostics.ExplainedVariance(batch.Values.detach(), batch.Returns, batch.Mask));
            metrics["val/ratio"] = MaskedOps.ToDouble(MaskedOps.MaskedMean((logProbs - batch.OldLogProbs).exp(), batch.Mask));
            if (batch.Entropy is { } entropy)
            {
                metrics["policy/entropy"] = MaskedOps.ToDouble(MaskedOps.MaskedMean(entropy.detach(), batch.Mask));
            }
        }

        return new PpoLossResult(policy.Loss, value.Loss, loss, metrics);
    }

    /// <summary>Fraction of masked tokens where the clipped term is strictly the larger one: ().</summary>
    private static Tensor ClipFraction(Tensor clipped, Tensor unclipped, Tensor mask)
    {
        using var noGrad = no_grad();
        return MaskedOps.MaskedMean(clipped.gt(unclipped).to_type(unclipped.dtype), mask);
    }
}

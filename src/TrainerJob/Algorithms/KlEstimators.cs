using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>KL estimators between policy and reference per-token log-probs of the sampled tokens.</summary>
public static class KlEstimators
{
    /// <summary>Per-token estimate: logProbs (B, T), refLogProbs (B, T) → (B, T). Not masked.</summary>
    public static Tensor PerToken(Tensor logProbs, Tensor refLogProbs, KlEstimator estimator)
    {
        MaskedOps.RequireSameShape(logProbs, refLogProbs, nameof(logProbs), nameof(refLogProbs));
        switch (estimator)
        {
            case KlEstimator.K1:
                return logProbs - refLogProbs;
            case KlEstimator.K2:
                return 0.5 * (logProbs - refLogProbs).square();
            case KlEstimator.K3:
                var logRatio = refLogProbs - logProbs; // log r, r = π_ref / π
                return logRatio.exp() - 1 - logRatio;
            default:
                throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Unknown KL estimator.");
        }
    }

    /// <summary>Sequence KL: per-token (B, T) summed over the mask (B, T) → (B).</summary>
    public static Tensor SequenceSum(Tensor perToken, Tensor mask) => MaskedOps.MaskedSum(perToken, mask, 1);
}

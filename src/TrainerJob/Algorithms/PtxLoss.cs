using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>
/// The pre-training mix of PPO-ptx (InstructGPT eq. 2, the γ·E_pretrain[log π(x)] term): minimising
/// <c>ptxCoef · lm_loss</c> maximises γ times the pre-training log-likelihood.
/// </summary>
public static class PtxLoss
{
    /// <summary>
    /// Token-mean negative log-likelihood: logits (B, T, V), targets (B, T) int64 aligned with the
    /// logits (already shifted), mask (B, T) → ().
    /// </summary>
    public static Tensor LmLoss(Tensor logits, Tensor targets, Tensor mask)
    {
        var tokenLogProbs = LogProbs.OfTargets(logits, targets); // (B, T)
        return -MaskedOps.MaskedMean(tokenLogProbs, mask);
    }

    /// <summary><c>ptxCoef · lm_loss(pretrain batch)</c>: ().</summary>
    public static Tensor Compute(Tensor logits, Tensor targets, Tensor mask, double ptxCoef) =>
        ptxCoef * LmLoss(logits, targets, mask);
}

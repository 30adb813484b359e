using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>PPO health metrics over masked (B, T) tensors; all return () scalars and carry no gradient.</summary>
public static class PpoDiagnostics
{
    /// <summary>TRL's <c>approxkl</c>: ½ · masked_mean((log π − log π_old)²).</summary>
    public static Tensor ApproxKl(Tensor logProbs, Tensor oldLogProbs, Tensor mask)
    {
        using var noGrad = no_grad();
        return 0.5 * MaskedOps.MaskedMean((logProbs - oldLogProbs).square(), mask);
    }

    /// <summary>k3 estimate of KL(π_old ‖ π) on tokens sampled from π_old: masked_mean((r − 1) − log r), r = π / π_old.</summary>
    public static Tensor ApproxKlK3(Tensor logProbs, Tensor oldLogProbs, Tensor mask)
    {
        using var noGrad = no_grad();
        var logRatio = logProbs - oldLogProbs;
        return MaskedOps.MaskedMean(logRatio.exp() - 1 - logRatio, mask);
    }

    /// <summary>
    /// 1 − Var[returns − values] / Var[returns] over the masked entries: 1 = perfect value function,
    /// 0 = no better than a constant, negative = worse. NaN when the returns have zero variance.
    /// </summary>
    public static Tensor ExplainedVariance(Tensor values, Tensor returns, Tensor mask)
    {
        using var noGrad = no_grad();
        return 1 - MaskedOps.MaskedVar(returns - values, mask) / MaskedOps.MaskedVar(returns, mask);
    }

    /// <summary>OpenAI baselines / Spinning Up early stop: true when approx KL &gt; 1.5 · target KL.</summary>
    public static bool ExceedsTargetKl(double approxKl, double targetKl) => approxKl > 1.5 * targetKl;
}

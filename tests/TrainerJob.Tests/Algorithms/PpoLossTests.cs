using TorchSharp;
using Rlhf.TrainerJob.Algorithms;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class PpoLossTests
{
    // Ratios r = exp(logp − oldLogp) with oldLogp = 0. Row 0 has positive advantages, row 1 negative
    // ones; token (1, 2) is padding and must not count. Clip range 0.2 → [0.8, 1.2].
    private static readonly float[] _ratios = [1.1f, 1.5f, 0.5f, 0.7f, 1.3f, 0.9f];
    private static readonly float[] _advantages = [1f, 1f, 1f, -1f, -1f, 2f];
    private static readonly float[] _mask = [1f, 1f, 1f, 1f, 1f, 0f];

    [Fact]
    public void ClippedPolicyLossInsideAndOutsideTheRangeForBothSigns()
    {
        using var scope = NewDisposeScope();
        var logProbs = F(_ratios, 2, 3).log();
        var oldLogProbs = zeros(2, 3);

        var (loss, clipFrac) = PpoLosses.PolicyLoss(logProbs, oldLogProbs, F(_advantages, 2, 3), F(_mask, 2, 3), clipRange: 0.2);

        // token   r    A   pgLoss1=−A·r  pgLoss2=−A·clamp(r)  max    clipped term larger?
        // (0,0)  1.1  +1     −1.1           −1.1              −1.1   no  (inside the range)
        // (0,1)  1.5  +1     −1.5           −1.2              −1.2   yes (A>0, r above 1+ε)
        // (0,2)  0.5  +1     −0.5           −0.8              −0.5   no  (A>0, r below 1−ε: not clipped)
        // (1,0)  0.7  −1     +0.7           +0.8              +0.8   yes (A<0, r below 1−ε)
        // (1,1)  1.3  −1     +1.3           +1.2              +1.3   no  (A<0, r above 1+ε: not clipped)
        // loss = (−1.1 − 1.2 − 0.5 + 0.8 + 1.3) / 5 = −0.7 / 5 = −0.14; clipfrac = 2 / 5 = 0.4
        Close(-0.14, loss);
        Close(0.4, clipFrac);
    }

    [Fact]
    public void ClippedValueLossAndClipFraction()
    {
        using var scope = NewDisposeScope();
        var vpred = F([1.1f, 1.5f, 0.5f, 1.5f, 0.6f, 5f], 2, 3);
        var oldValues = ones(2, 3);
        var returns = F([2f, 2f, 0f, 2f, 1.5f, 0f], 2, 3);

        var (loss, clipFrac) = PpoLosses.ValueLoss(vpred, oldValues, returns, F(_mask, 2, 3), clipRangeValue: 0.2);

        // token  vpred old  R   vclipped  (vpred−R)²  (vclipped−R)²  max   clipped larger?
        // (0,0)  1.1   1    2   1.1       0.81        0.81           0.81  no (inside)
        // (0,1)  1.5   1    2   1.2       0.25        0.64           0.64  yes
        // (0,2)  0.5   1    0   0.8       0.25        0.64           0.64  yes
        // (1,0)  1.5   1    2   1.2       0.25        0.64           0.64  yes
        // (1,1)  0.6   1    1.5 0.8       0.81        0.49           0.81  no
        // loss = 0.5 · (0.81 + 0.64 + 0.64 + 0.64 + 0.81) / 5 = 0.5 · 3.54 / 5 = 0.354; clipfrac = 3 / 5 = 0.6
        Close(0.354, loss);
        Close(0.6, clipFrac);
    }

    [Fact]
    public void ComputeCombinesLossesAndReportsNamespacedMetrics()
    {
        using var scope = NewDisposeScope();
        var logProbs = F(_ratios, 2, 3).log().requires_grad_();
        var vpred = F([1.1f, 1.5f, 0.5f, 1.5f, 0.6f, 5f], 2, 3).requires_grad_();
        var batch = new PpoBatch(
            LogProbs: logProbs,
            OldLogProbs: zeros(2, 3),
            Advantages: F(_advantages, 2, 3),
            Values: vpred,
            OldValues: ones(2, 3),
            Returns: F([2f, 2f, 0f, 2f, 1.5f, 0f], 2, 3),
            Mask: F(_mask, 2, 3),
            Entropy: F([1f, 2f, 3f, 4f, 5f, 100f], 2, 3));

        var result = PpoLosses.Compute(batch, clipRange: 0.2, clipRangeValue: 0.2, vfCoef: 0.1);
        result.Loss.backward();

        // loss = −0.14 + 0.1 · 0.354 = −0.1046
        Close(-0.1046, result.Loss);
        Close(-0.14, result.Metrics["loss/policy"]);
        Close(0.354, result.Metrics["loss/value"]);
        Close(0.4, result.Metrics["policy/clipfrac"]);
        Close(0.6, result.Metrics["val/clipfrac"]);
        // val/ratio = (1.1 + 1.5 + 0.5 + 0.7 + 1.3) / 5 = 1.02; entropy = (1 + 2 + 3 + 4 + 5) / 5 = 3
        Close(1.02, result.Metrics["val/ratio"]);
        Close(3.0, result.Metrics["policy/entropy"]);
        // approxkl = ½ · mean((ln r)²) over the five real tokens
        double[] real = [1.1, 1.5, 0.5, 0.7, 1.3];
        Close(0.5 * real.Average(r => Math.Log(r) * Math.Log(r)), result.Metrics["policy/approxkl"]);
        Close(real.Average(r => r - 1 - Math.Log(r)), result.Metrics["policy/approxkl_k3"]);
        Assert.True(result.Metrics.ContainsKey("val/explained_var"));
        // Gradient flows where the unclipped term is active; clipped tokens and padding get none.
        // d loss / d logp(0,0) = −A·r / 5 = −1.1 / 5 = −0.22; d loss / d vpred(0,0) = 0.1 · 0.5 · 2 (1.1 − 2) / 5 = −0.018
        Close(-0.22, logProbs.grad![0, 0]);
        Close(-0.018, vpred.grad![0, 0]);
        Assert.Equal(0f, logProbs.grad[0, 1].item<float>());
        Assert.Equal(0f, vpred.grad[0, 1].item<float>());
        Assert.Equal(0f, logProbs.grad[1, 2].item<float>());
        Assert.Equal(0f, vpred.grad[1, 2].item<float>());
    }

    [Fact]
    public void ExplainedVarianceByHand()
    {
        using var scope = NewDisposeScope();
        // returns − values = [0, 0, 0, 1]: mean 0.25, unbiased var = (3·0.0625 + 0.5625) / 3 = 0.25
        // returns = [1, 2, 3, 4]: mean 2.5, unbiased var = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3
        // explained variance = 1 − 0.25 / (5/3) = 0.85; the padded 6th entry is ignored
        var returns = F([1f, 2f, 3f, 4f, 50f], 1, 5);
        var values = F([1f, 2f, 3f, 3f, -50f], 1, 5);
        var mask = F([1f, 1f, 1f, 1f, 0f], 1, 5);

        Close(0.85, PpoDiagnostics.ExplainedVariance(values, returns, mask));
    }

    [Fact]
    public void EarlyStopAtOnePointFiveTimesTargetKl()
    {
        Assert.True(PpoDiagnostics.ExceedsTargetKl(0.016, 0.01));
        Assert.False(PpoDiagnostics.ExceedsTargetKl(0.014, 0.01));
    }
}

using TorchSharp;
using Rlhf.TrainerJob.Algorithms;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class MaskedOpsTests
{
    [Fact]
    public void WhitenByHand()
    {
        using var scope = NewDisposeScope();
        // Masked entries [1, 2, 3]: mean 2, unbiased var ((−1)² + 0² + 1²) / (3 − 1) = 1 → [−1, 0, 1]; padding 100 → 0
        var whitened = MaskedOps.Whiten(F([1f, 2f, 3f, 100f], 1, 4), F([1f, 1f, 1f, 0f], 1, 4));

        Close([-1, 0, 1, 0], whitened);
    }

    [Fact]
    public void WhitenGivesZeroMeanUnitVarianceOverMaskedEntriesOnly()
    {
        using var scope = NewDisposeScope();
        var values = 3 + 5 * randn(4, 7, dtype: ScalarType.Float64, generator: new Generator(3));
        var mask = zeros(4, 7, dtype: ScalarType.Float64);
        mask[0, ..7] = 1;
        mask[1, ..2] = 1;
        mask[2, ..5] = 1;
        mask[3, ..1] = 1;
        values[1, 2..] = 1000; // padding far from the data: would wreck the statistics if it leaked in

        var whitened = MaskedOps.Whiten(values, mask);
        var scaled = MaskedOps.Whiten(values, mask, shiftMean: false);

        Close(0, MaskedOps.MaskedMean(whitened, mask), 1e-9);
        Close(1, MaskedOps.MaskedVar(whitened, mask), 1e-6);
        Assert.Equal(0, whitened.mul(1 - mask).abs().sum().item<double>());
        Close(MaskedOps.MaskedMean(values, mask).item<double>(), MaskedOps.MaskedMean(scaled, mask), 1e-9);
        Close(1, MaskedOps.MaskedVar(scaled, mask), 1e-6);
    }

    [Fact]
    public void MaskedMeanSumAndSequenceLogProbs()
    {
        using var scope = NewDisposeScope();
        var tokenLogProbs = F([-1f, -2f, -3f, -0.5f, -0.5f, -9f], 2, 3);
        var mask = F([1f, 1f, 1f, 1f, 1f, 0f], 2, 3);

        // sums: −1 −2 −3 = −6; −0.5 −0.5 = −1 (the −9 is padding); averages −2, −0.5; overall mean −7 / 5 = −1.4
        Close([-6, -1], LogProbs.Sequence(tokenLogProbs, mask));
        Close([-2, -0.5], LogProbs.Sequence(tokenLogProbs, mask, average: true));
        Close(-7, MaskedOps.MaskedSum(tokenLogProbs, mask));
        Close(-1.4, MaskedOps.MaskedMean(tokenLogProbs, mask));
    }

    [Fact]
    public void MaskedSequenceAppliesTheHeadOnlyWhereMaskedAndMatchesTheFullComputation()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var hidden = randn(3, 5, 4, dtype: ScalarType.Float64, generator: generator).requires_grad_();
        var weight = randn(7, 4, dtype: ScalarType.Float64, generator: generator);
        var targets = randint(0, 7, [3, 5], generator: generator);
        var mask = zeros(3, 5, dtype: ScalarType.Float64);
        mask[0, 1..4] = 1;                                                                      // response in the middle, padding after
        mask[1, 4] = 1;                                                                         // one response token
        mask[2, ..] = 1;
        var headRows = new List<long>();
        Tensor Head(Tensor h)
        {
            headRows.Add(h.shape[0]);
            return nn.functional.linear(h, weight);
        }

        foreach (var average in new[] { false, true })
        {
            var full = LogProbs.Sequence(LogProbs.OfTargets(nn.functional.linear(hidden, weight), targets), mask, average);
            var masked = LogProbs.MaskedSequence(hidden, Head, targets, mask, average);
            Close(full.data<double>().ToArray(), masked, 1e-12);

            // and the same gradient, zero at unmasked positions
            var fullGrad = autograd.grad([full.sum()], [hidden])[0];
            var maskedGrad = autograd.grad([masked.sum()], [hidden])[0];
            Close(fullGrad.reshape(-1).data<double>().ToArray(), maskedGrad.reshape(-1), 1e-12);
            Assert.Equal(0, maskedGrad[0, 0].abs().sum().item<double>());
        }

        Assert.Equal([9L, 9L], headRows);                                                      // 3 + 1 + 5 positions, not 15
    }

    [Fact]
    public void TokenLogProbsEntropyAndPtxLossFromLogits()
    {
        using var scope = NewDisposeScope();
        // (1, 3, 3) logits: position 0 uniform; position 1 probs [0.25, 0.5, 0.25]; position 2 is padding.
        var logits = F([0f, 0f, 0f, 0f, (float)Math.Log(2), 0f, 50f, 0f, 0f], 1, 3, 3);
        var targets = tensor(new long[] { 1, 1, 2 }).reshape(1, 3);
        var mask = F([1f, 1f, 0f], 1, 3);

        // log p: −ln 3 = −1.0986123; ln 0.5 = −0.6931472
        Close([-1.0986123, -0.6931472], LogProbs.OfTargets(logits, targets)[0, ..2]);
        // entropy: uniform ln 3 = 1.0986123; [¼, ½, ¼]: ½ ln 4 + ½ ln 2 = 1.0397208
        Close([1.0986123, 1.0397208], LogProbs.Entropy(logits)[0, ..2]);
        // lm loss = (1.0986123 + 0.6931472) / 2 = 0.8958797; ptx coef 2 → 1.7917595
        Close(0.8958797, PtxLoss.LmLoss(logits, targets, mask));
        Close(1.7917595, PtxLoss.Compute(logits, targets, mask, ptxCoef: 2));
    }
}

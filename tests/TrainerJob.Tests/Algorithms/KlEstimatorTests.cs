using TorchSharp;
using Rlhf.TrainerJob.Algorithms;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class KlEstimatorTests
{
    [Fact]
    public void HandComputedEstimatesAndMaskedSequenceSums()
    {
        using var scope = NewDisposeScope();
        // token 0: π = 0.5, π_ref = 0.25; token 1: π = 0.2, π_ref = 0.4; token 2 is padding.
        var logProbs = D([Math.Log(0.5), Math.Log(0.2), Math.Log(0.9)], 1, 3);
        var refLogProbs = D([Math.Log(0.25), Math.Log(0.4), Math.Log(0.1)], 1, 3);
        var mask = D([1, 1, 0], 1, 3);

        var k1 = KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K1);
        var k2 = KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K2);
        var k3 = KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K3);

        // k1 = ln(0.5/0.25) = ln 2 = 0.6931472; ln(0.2/0.4) = −0.6931472
        Close([0.6931472, -0.6931472, Math.Log(9)], k1);
        // k2 = ½ (ln 2)² = 0.2402265 for both real tokens
        Close(0.2402265, k2[0, 0]);
        Close(0.2402265, k2[0, 1]);
        // k3 = (r − 1) − ln r, r = π_ref/π: r = 0.5 → −0.5 + 0.6931472 = 0.1931472; r = 2 → 1 − 0.6931472 = 0.3068528
        Close(0.1931472, k3[0, 0]);
        Close(0.3068528, k3[0, 1]);
        // Sequence sums skip the padded token: k1 → 0, k3 → 0.5
        Close([0.0], KlEstimators.SequenceSum(k1, mask));
        Close([0.5], KlEstimators.SequenceSum(k3, mask));
    }

    [Fact]
    public void K3IsNeverNegative()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var logProbs = 3 * randn(64, 64, dtype: ScalarType.Float64, generator: generator);
        var refLogProbs = 3 * randn(64, 64, dtype: ScalarType.Float64, generator: generator);

        var k3 = KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K3);

        Assert.True(k3.ge(0).all().item<bool>(), $"min k3 = {k3.min().item<double>()}");
    }

    [Fact]
    public void K1AndK3AverageToTheTrueKlOnSamplesFromThePolicy()
    {
        using var scope = NewDisposeScope();
        // π = [0.5, 0.25, 0.15, 0.1], π_ref uniform. KL(π ‖ π_ref) = 0.5 ln 2 + 0.25 ln 1 + 0.15 ln 0.6 + 0.1 ln 0.4
        //   = 0.3465736 + 0 − 0.0766238 − 0.0916291 = 0.1783207
        const double trueKl = 0.1783207;
        var policy = tensor(new[] { 0.5, 0.25, 0.15, 0.1 });
        var reference = full(4, 0.25, dtype: ScalarType.Float64);
        var samples = multinomial(policy, 200_000, replacement: true, generator: new Generator(42)); // (N) tokens ~ π
        var logProbs = policy.log().index_select(0, samples).unsqueeze(0); // (1, N)
        var refLogProbs = reference.log().index_select(0, samples).unsqueeze(0); // (1, N)

        var k1 = KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K1).mean().item<double>();
        var k3 = KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K3).mean().item<double>();

        // Standard error of the k1 mean ≈ 0.58 / √200000 ≈ 0.0013; 0.01 is > 7 standard errors.
        Close(trueKl, k1, 0.01);
        Close(trueKl, k3, 0.01);
    }
}

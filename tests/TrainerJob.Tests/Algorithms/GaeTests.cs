using TorchSharp;
using Rlhf.TrainerJob.Algorithms;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class GaeTests
{
    [Fact]
    public void HandComputedThreeStepCase()
    {
        using var scope = NewDisposeScope();
        // γ = 0.9, λ = 0.5, γλ = 0.45. Row 0: full response; row 1: two tokens then padding
        // whose reward 7 and value 9 are garbage that must be ignored.
        var rewards = F([0f, 0f, 1f, 0.2f, 1f, 7f], 2, 3);
        var values = F([0.5f, 0.4f, 0.6f, 0.3f, 0.5f, 9f], 2, 3);
        var mask = F([1f, 1f, 1f, 1f, 1f, 0f], 2, 3);

        var (advantages, returns) = Gae.Compute(rewards, values, mask, gamma: 0.9, lambda: 0.5);

        // Row 0: δ2 = 1 + 0.9·0 − 0.6 = 0.4; δ1 = 0 + 0.9·0.6 − 0.4 = 0.14; δ0 = 0 + 0.9·0.4 − 0.5 = −0.14
        //        A2 = 0.4; A1 = 0.14 + 0.45·0.4 = 0.32; A0 = −0.14 + 0.45·0.32 = 0.004
        //        R = A + V = 0.504, 0.72, 1.0
        // Row 1: value after the last real token is 0: δ1 = 1 + 0.9·0 − 0.5 = 0.5; δ0 = 0.2 + 0.9·0.5 − 0.3 = 0.35
        //        A1 = 0.5; A0 = 0.35 + 0.45·0.5 = 0.575; A2 = 0 (padding)
        //        R = 0.875, 1.0, 0
        Close([0.004, 0.32, 0.4, 0.575, 0.5, 0], advantages);
        Close([0.504, 0.72, 1.0, 0.875, 1.0, 0], returns);
    }

    [Fact]
    public void LoopMatchesClosedFormOnRandomMaskedBatch()
    {
        using var scope = NewDisposeScope();
        const int batch = 6, steps = 9;
        const double gamma = 0.97, lambda = 0.9;
        var generator = new Generator(1234);
        var rewards = randn(batch, steps, dtype: ScalarType.Float64, generator: generator);
        var values = randn(batch, steps, dtype: ScalarType.Float64, generator: generator);
        int[] lengths = [9, 1, 4, 7, 2, 9];
        var mask = zeros(batch, steps, dtype: ScalarType.Float64);
        for (var b = 0; b < batch; b++)
        {
            mask[b, ..lengths[b]] = 1;
        }

        var (advantages, returns) = Gae.Compute(rewards, values, mask, gamma, lambda);

        // Closed form: A_t = Σ_{l=0}^{L−1−t} (γλ)^l δ_{t+l}, δ_t = r_t + γ V_{t+1} − V_t, V_L = 0.
        var r = rewards.data<double>().ToArray();
        var v = values.data<double>().ToArray();
        var expected = new double[batch * steps];
        var expectedReturns = new double[batch * steps];
        for (var b = 0; b < batch; b++)
        {
            var length = lengths[b];
            double Value(int t) => t < length ? v[b * steps + t] : 0;
            for (var t = 0; t < length; t++)
            {
                var sum = 0.0;
                for (var l = 0; t + l < length; l++)
                {
                    var k = t + l;
                    var delta = r[b * steps + k] + gamma * Value(k + 1) - Value(k);
                    sum += Math.Pow(gamma * lambda, l) * delta;
                }

                expected[b * steps + t] = sum;
                expectedReturns[b * steps + t] = sum + Value(t);
            }
        }

        Close(expected, advantages, 1e-10);
        Close(expectedReturns, returns, 1e-10);
    }

    [Fact]
    public void RejectsMaskWithTokensAfterPadding()
    {
        using var scope = NewDisposeScope();
        var x = zeros(1, 3);
        var mask = F([1f, 0f, 1f], 1, 3);

        Assert.Throws<ArgumentException>(() => Gae.Compute(x, x, mask, 1, 0.95));
    }
}

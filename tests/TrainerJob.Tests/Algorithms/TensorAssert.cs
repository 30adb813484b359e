using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

/// <summary>Tiny helpers to build tensors from literals and compare them with hand-computed numbers.</summary>
internal static class TensorAssert
{
    /// <summary>A float32 tensor from row-major values.</summary>
    public static Tensor F(float[] values, params long[] shape) => tensor(values, shape);

    /// <summary>A float64 tensor from row-major values.</summary>
    public static Tensor D(double[] values, params long[] shape) => tensor(values, shape);

    public static void Close(double expected, Tensor actual, double tolerance = 1e-5) =>
        Close(expected, actual.to_type(ScalarType.Float64).item<double>(), tolerance);

    public static void Close(double expected, double actual, double tolerance = 1e-5) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected} ± {tolerance}, got {actual}");

    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-5)
    {
        var values = actual.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(expected[i] - values[i]) <= tolerance,
                $"element {i}: expected {expected[i]} ± {tolerance}, got {values[i]} (all: {string.Join(", ", values)})");
        }
    }
}

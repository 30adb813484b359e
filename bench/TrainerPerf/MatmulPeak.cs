using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>The machine's practical float32 peak as TorchSharp reaches it: a square <c>mm</c>, best of several.</summary>
public static class MatmulPeak
{
    /// <summary>2·n³ / best time, in GFLOP/s (one untimed warm-up product first).</summary>
    public static double MeasureGflops(Device device, int n, int repeats)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var a = randn(n, n, dtype: ScalarType.Float32, device: device);                        // (n, n)
        var b = randn(n, n, dtype: ScalarType.Float32, device: device);                        // (n, n)
        Product(a, b);
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            Product(a, b);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>One product, waited for: reading an element synchronises an asynchronous (CUDA) device.</summary>
    private static void Product(Tensor a, Tensor b)
    {
        using var c = mm(a, b);
        using var corner = c[0, 0];
        _ = corner.item<float>();
    }
}

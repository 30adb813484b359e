using TorchSharp;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Intra-op threads of cached generation on the CPU. With the KV cache each step feeds one token per row, so every op is
/// small, and handing it to a second OpenMP thread costs more than the thread saves: on 2 cores the words demo model
/// generated 8 rows at 10,588 tokens/s on 1 thread and 3,838 on 2, 64 rows at 20,329 vs 14,712 (trainer-perf,
/// docs/performance.md). A generation whose one-token step stays under <see cref="SmallStepMacs"/> multiply–accumulates
/// therefore runs on one thread; larger models and batches keep the configured count, and so does everything else
/// (training steps, scoring, recomputing generation).
/// </summary>
public static class DecodeThreads
{
    /// <summary>
    /// Steps below this run on one thread: the demo model at 64 rows (41 M) is still 1.4× faster on one; GPT-2 124M at
    /// 2 rows (247 M) ran alike on one or two (32 vs 30 tokens/s: such a step is bound by reading the weights), so larger
    /// steps keep the configured count, which pays once steps are compute-bound (larger batches, more cores).
    /// </summary>
    public const long SmallStepMacs = 100_000_000;

    /// <summary>
    /// Multiply–accumulates of one cached step: rows × width × (vocabulary + 12 × width × layers), the tied head plus each
    /// block's attention and MLP projections (attention over the cached positions is left out: it is small next to them).
    /// </summary>
    public static long StepMacs(GptConfig config, int rows)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (long)rows * config.NEmbd * (config.VocabSize + (12L * config.NEmbd * config.NLayer));
    }

    /// <summary>
    /// Lowers libtorch's intra-op threads to one until disposed when <paramref name="model"/> is on the CPU, more than one
    /// thread is set and a step of <paramref name="rows"/> rows is small; otherwise changes nothing.
    /// </summary>
    public static IDisposable Limit(Gpt model, int rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        var threads = torch.get_num_threads();
        if (model.Device.type != DeviceType.CPU || threads <= 1 || StepMacs(model.Config, rows) >= SmallStepMacs)
        {
            return Restore.Nothing;
        }

        torch.set_num_threads(1);
        return new Restore(threads);
    }

    private sealed class Restore(int threads) : IDisposable
    {
        public static readonly Restore Nothing = new(0);

        public void Dispose()
        {
            if (threads > 0)
            {
                torch.set_num_threads(threads);
            }
        }
    }
}

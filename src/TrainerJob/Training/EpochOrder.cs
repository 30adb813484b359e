using Rlhf.TrainerJob.Verbs;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>
/// A data set of <c>count</c> items read without replacement in epochs, each epoch in its own random order seeded
/// by (seed, epoch). The order depends on nothing else, so a position in the stream (the checkpoint's data cursor)
/// is all a resumed job needs to draw exactly the batches an uninterrupted one would.
/// </summary>
public sealed class EpochOrder
{
    private readonly int _count;
    private readonly long _seed;
    private long _epoch = -1;
    private long[] _permutation = [];

    public EpochOrder(int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _count = count;
        _seed = seed;
    }

    /// <summary>The item indices at stream positions <paramref name="position"/> … <paramref name="position"/> + <paramref name="length"/> − 1 (crossing epochs as needed).</summary>
    public int[] Take(long position, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var items = new int[length];
        for (var i = 0; i < length; i++)
        {
            var p = position + i;
            items[i] = (int)Permutation(p / _count)[(int)(p % _count)];
        }

        return items;
    }

    /// <summary>The order of epoch <paramref name="epoch"/>: a permutation of 0…count−1.</summary>
    public IReadOnlyList<long> Permutation(long epoch)
    {
        if (epoch != _epoch)
        {
            using var generator = new Generator(SampleVerb.PromptSeed(_seed, (int)epoch), CPU);
            using var order = randperm(_count, generator: generator);
            _permutation = order.data<long>().ToArray();
            _epoch = epoch;
        }

        return _permutation;
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>
/// Reductions over padded batches. <c>mask</c> has the shape of <c>values</c> (typically (B, T)),
/// 1 for real tokens and 0 for padding; bool or floating masks are accepted.
/// Same definitions as TRL's <c>masked_mean</c>, <c>masked_var</c> and <c>masked_whiten</c>.
/// </summary>
public static class MaskedOps
{
    private const double WhitenEpsilon = 1e-8;

    /// <summary>Sum of the masked entries: () scalar.</summary>
    public static Tensor MaskedSum(Tensor values, Tensor mask) => (values * AsFloat(mask, values)).sum();

    /// <summary>Sum of the masked entries along <paramref name="dim"/>: (B, T), dim 1 → (B).</summary>
    public static Tensor MaskedSum(Tensor values, Tensor mask, long dim) => (values * AsFloat(mask, values)).sum(dim);

    /// <summary>Mean over the masked entries: () scalar. NaN when the mask is empty.</summary>
    public static Tensor MaskedMean(Tensor values, Tensor mask)
    {
        var m = AsFloat(mask, values);
        return (values * m).sum() / m.sum();
    }

    /// <summary>Mean over the masked entries along <paramref name="dim"/>: (B, T), dim 1 → (B).</summary>
    public static Tensor MaskedMean(Tensor values, Tensor mask, long dim)
    {
        var m = AsFloat(mask, values);
        return (values * m).sum(dim) / m.sum(dim);
    }

    /// <summary>
    /// Variance over the masked entries: () scalar. <paramref name="unbiased"/> applies Bessel's
    /// correction n / (n - 1) with n = number of masked entries, as TRL's <c>masked_var</c>.
    /// </summary>
    public static Tensor MaskedVar(Tensor values, Tensor mask, bool unbiased = true)
    {
        var m = AsFloat(mask, values);
        var n = ToDouble(m.sum());
        if (unbiased && n < 2)
        {
            throw new ArgumentException($"Unbiased masked variance needs at least 2 masked entries, got {n}.", nameof(mask));
        }

        var mean = MaskedMean(values, m);
        var variance = MaskedMean((values - mean).square(), m);
        return unbiased ? variance * (n / (n - 1)) : variance;
    }

    /// <summary>
    /// Masked whitening: (x - mean) / sqrt(var + 1e-8) with the masked mean and unbiased masked variance;
    /// with <paramref name="shiftMean"/> false the mean is added back (only the scale changes).
    /// Entries outside the mask are set to 0. Shape preserved.
    /// </summary>
    public static Tensor Whiten(Tensor values, Tensor mask, bool shiftMean = true)
    {
        var m = AsFloat(mask, values);
        var mean = MaskedMean(values, m);
        var variance = MaskedVar(values, m);
        var whitened = (values - mean) * (variance + WhitenEpsilon).rsqrt();
        if (!shiftMean)
        {
            whitened += mean;
        }

        return whitened * m;
    }

    /// <summary>The mask as a tensor of the floating type of <paramref name="like"/>.</summary>
    internal static Tensor AsFloat(Tensor mask, Tensor like) =>
        mask.dtype == like.dtype ? mask : mask.to_type(like.dtype);

    /// <summary>The value of a one-element tensor of any numeric type (synchronises with the device).</summary>
    internal static double ToDouble(Tensor scalar) => scalar.to_type(ScalarType.Float64).item<double>();

    /// <summary>Throws unless the two tensors have identical shapes.</summary>
    internal static void RequireSameShape(Tensor a, Tensor b, string nameA, string nameB)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            throw new ArgumentException(
                $"{nameA} has shape ({string.Join(", ", a.shape)}) but {nameB} has shape ({string.Join(", ", b.shape)}).");
        }
    }
}

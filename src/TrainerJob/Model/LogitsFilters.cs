using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>Top-k and nucleus (top-p) filtering: removed tokens get logit -inf.</summary>
public static class LogitsFilters
{
    /// <summary>Keeps the <paramref name="k"/> largest logits per row of (B, V); ties at the k-th value are kept.</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k <= 0 || k >= logits.shape[^1])
        {
            return logits;
        }

        var kth = logits.topk(k, dim: -1).values.narrow(-1, k - 1, 1);     // (B, 1)
        return logits.masked_fill(logits.lt(kth), Scalars.NegativeInfinity);
    }

    /// <summary>
    /// Keeps, per row of (B, V), the most likely tokens whose cumulative probability first reaches
    /// <paramref name="p"/> (always at least one token).
    /// </summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        if (p >= 1.0)
        {
            return logits;
        }

        var (sorted, order) = logits.sort(dim: -1, descending: true);       // (B, V)
        var probs = sorted.softmax(-1);
        var massBefore = probs.cumsum(-1).sub(probs);                       // probability of strictly better tokens
        var removeSorted = massBefore.ge(p);                                // first token: massBefore = 0 < p, kept
        var remove = zeros_like(removeSorted).scatter(-1, order, removeSorted);
        return logits.masked_fill(remove, Scalars.NegativeInfinity);
    }
}

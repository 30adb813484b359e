using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>Per-token log-probabilities and entropies from logits, and their per-sequence sums.</summary>
public static class LogProbs
{
    /// <summary>
    /// log π(target_t | context): logits (B, T, V), targets (B, T) int64 → (B, T).
    /// The caller aligns them: <c>logits[:, t]</c> is the distribution that produced <c>targets[:, t]</c>.
    /// </summary>
    public static Tensor OfTargets(Tensor logits, Tensor targets)
    {
        // gather − logsumexp = log_softmax at the target, without materialising a (B, T, V) log_softmax
        var targetLogits = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1); // (B, T)
        return targetLogits - logits.logsumexp(-1); // (B, T)
    }

    /// <summary>Entropy of each next-token distribution: logits (B, T, V) → (B, T) nats.</summary>
    public static Tensor Entropy(Tensor logits)
    {
        var probs = logits.softmax(-1); // (B, T, V)
        return logits.logsumexp(-1) - (probs * logits).sum(-1); // (B, T)
    }

    /// <summary>
    /// Sequence log-probability from per-token log-probs (B, T) and a mask (B, T) → (B).
    /// <paramref name="average"/> divides by the number of masked tokens (TRL's IPO uses the average).
    /// </summary>
    public static Tensor Sequence(Tensor tokenLogProbs, Tensor mask, bool average = false) =>
        average ? MaskedOps.MaskedMean(tokenLogProbs, mask, 1) : MaskedOps.MaskedSum(tokenLogProbs, mask, 1);

    /// <summary>
    /// <see cref="Sequence"/> of <see cref="OfTargets"/> with the language-model head applied only where <paramref name="mask"/>
    /// is set: hidden states (B, T, C), <paramref name="head"/> (M, C) → (M, V), targets and mask (B, T) → (B). The same value
    /// as <c>Sequence(OfTargets(head(hidden), targets), mask, average)</c> up to summation order, for a fraction of the cost
    /// when prompts and padding fill much of the batch: the head over the vocabulary is most of a small model's FLOPs.
    /// </summary>
    public static Tensor MaskedSequence(Tensor hidden, Func<Tensor, Tensor> head, Tensor targets, Tensor mask, bool average = false)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(mask);
        using var positions = mask.nonzero();                                                   // (M, 2): (row, column), row-major
        using var rows = positions.select(1, 0);
        using var columns = positions.select(1, 1);
        var index = new[] { TensorIndex.Tensor(rows), TensorIndex.Tensor(columns) };
        using var logits = head(hidden.index(index));                                           // (M, V)
        using var tokens = OfTargets(logits, targets.index(index));                             // (M)
        var sums = zeros(targets.shape[0], dtype: tokens.dtype, device: tokens.device).scatter_add(0, rows, tokens); // (B)
        return average ? sums / mask.sum(1).to_type(tokens.dtype) : sums;
    }
}

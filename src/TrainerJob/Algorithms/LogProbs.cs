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
}

using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>Per-token log-probs (B, N) of the sampled response tokens and the entropy (B, N) of the distributions they came from.</summary>
public sealed record ResponseLogProbs(Tensor LogProbs, Tensor Entropy);

/// <summary>
/// Forward passes over the sampler's layout (<see cref="GenerationResult"/>): query left-padded to width P, response
/// tokens at columns P…P+N−1. The hidden state at column P−1+t is the state before response token t, so the policy's
/// logits there give log π(response_t | query, response_&lt;t) and a value head there gives V(s_t), as TRL slices
/// <c>logits[:, context_length − 1 : −1]</c>.
/// </summary>
public static class RolloutForward
{
    /// <summary>Hidden states that predict the response tokens: tokens, mask (B, P + N) → (B, N, C).</summary>
    public static Tensor ResponseHidden(Gpt model, Tensor tokens, Tensor attentionMask, int promptLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        var length = tokens.shape[1];
        var responses = length - promptLength;
        if (promptLength < 1 || responses < 1)
        {
            throw new ArgumentException($"Need a query (P ≥ 1) and a response (N ≥ 1); got P = {promptLength}, P + N = {length}.");
        }

        // The last column predicts nothing we need: feed P + N − 1 columns.
        var hidden = model.Hidden(tokens.narrow(1, 0, length - 1), attentionMask.narrow(1, 0, length - 1)); // (B, P + N − 1, C)
        return hidden.narrow(1, promptLength - 1, responses);                                                // (B, N, C)
    }

    /// <summary>
    /// log π(response_t | ·) from <c>logits / temperature</c> (the distribution the sampler drew from, before its
    /// top-k/top-p filters) and its entropy: tokens, mask (B, P + N) → (B, N) each.
    /// </summary>
    public static ResponseLogProbs PolicyLogProbs(Gpt model, Tensor tokens, Tensor attentionMask, int promptLength, double temperature)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        var logits = model.Logits(ResponseHidden(model, tokens, attentionMask, promptLength)).div(temperature); // (B, N, V)
        var responses = tokens.narrow(1, promptLength, tokens.shape[1] - promptLength);                        // (B, N)
        return new ResponseLogProbs(LogProbs.OfTargets(logits, responses), LogProbs.Entropy(logits));
    }
}

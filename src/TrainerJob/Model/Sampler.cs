using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Batched autoregressive generation: prompts left-padded, per-row EOS stop, temperature,
/// top-k, top-p, greedy at temperature 0, KV cache by default.
/// </summary>
public static class Sampler
{
    /// <summary>
    /// Generates continuations of <paramref name="prompts"/>. Prompts longer than
    /// <c>NPositions - MaxNewTokens</c> keep their last tokens. Rows that emitted EOS continue
    /// with <paramref name="padId"/> and mask 0; generation stops early once every row has.
    /// </summary>
    /// <param name="generator">Seeded generator (on the model's device) for reproducible samples.</param>
    public static GenerationResult Generate(
        Gpt model,
        IReadOnlyList<int[]> prompts,
        SamplingOptions options,
        int eosId,
        int padId,
        Generator? generator = null)
    {
        options.Validate();
        var context = model.Config.NPositions;
        if (prompts.Count == 0 || prompts.Any(p => p.Length == 0))
        {
            throw new ArgumentException("Need at least one prompt, each with at least one token.", nameof(prompts));
        }

        if (options.MaxNewTokens >= context)
        {
            throw new ArgumentException($"MaxNewTokens {options.MaxNewTokens} leaves no room for a prompt in context {context}.", nameof(options));
        }

        var wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var cache = options.UseKvCache ? new KvCache(model.Config.NLayer) : null;
            var (tokens, mask) = LeftPad(prompts, context - options.MaxNewTokens, padId, model.Device); // (B, P)
            var promptLength = (int)tokens.shape[1];
            var batch = prompts.Count;
            var finished = zeros(batch, dtype: ScalarType.Bool, device: model.Device);                 // (B)
            var endedWithEos = zeros(batch, dtype: ScalarType.Bool, device: model.Device);
            using var pad = padId.ToScalar();                                                           // held across the loop: see Scalars
            using var eos = eosId.ToScalar();
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                using var stepScope = NewDisposeScope();
                // With the cache, feed only what it has not seen: the prompt first, then one token.
                var input = cache is null || step == 0 ? tokens : tokens.narrow(1, tokens.shape[1] - 1, 1);
                var hidden = model.Hidden(input, mask, cache);                                         // (B, T, C)
                var logits = model.Logits(hidden.narrow(1, hidden.shape[1] - 1, 1)).squeeze(1);       // (B, V)
                var next = Pick(logits, options, generator).masked_fill(finished, pad);                // (B)
                var isEos = next.eq(eos).logical_and(finished.logical_not());
                tokens = cat([tokens, next.unsqueeze(1)], dim: 1).MoveToOuterDisposeScope();
                mask = cat([mask, finished.logical_not().to(ScalarType.Int64).unsqueeze(1)], dim: 1).MoveToOuterDisposeScope();
                endedWithEos = endedWithEos.logical_or(isEos).MoveToOuterDisposeScope();
                finished = finished.logical_or(isEos).MoveToOuterDisposeScope();
                if (finished.all().item<bool>())
                {
                    break;
                }
            }

            var generated = (int)tokens.shape[1] - promptLength;
            var responseMask = mask.narrow(1, promptLength, generated);
            var result = new GenerationResult(
                tokens.MoveToOuterDisposeScope(),
                mask.MoveToOuterDisposeScope(),
                promptLength,
                tokens.narrow(1, promptLength, generated).MoveToOuterDisposeScope(),
                responseMask.sum(1).cpu().data<long>().Select(n => (int)n).ToArray(),
                endedWithEos.cpu().data<bool>().ToArray());
            return result;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Next token per row from last-position logits (B, V) → (B) int64.</summary>
    public static Tensor Pick(Tensor logits, SamplingOptions options, Generator? generator = null)
    {
        if (options.Temperature == 0)
        {
            return logits.argmax(-1);
        }

        using var temperature = options.Temperature.ToScalar();                                     // see Scalars
        var filtered = LogitsFilters.TopP(LogitsFilters.TopK(logits.div(temperature), options.TopK), options.TopP);
        return multinomial(filtered.softmax(-1), 1, generator: generator).squeeze(-1);
    }

    /// <summary>Left-pads (and left-truncates to <paramref name="maxLength"/>) prompts: tokens and mask (B, P) int64.</summary>
    private static (Tensor Tokens, Tensor Mask) LeftPad(IReadOnlyList<int[]> prompts, int maxLength, int padId, Device device)
    {
        var width = Math.Min(prompts.Max(p => p.Length), maxLength);
        var tokens = new long[prompts.Count * width];
        var mask = new long[prompts.Count * width];
        for (var row = 0; row < prompts.Count; row++)
        {
            var prompt = prompts[row].AsSpan(Math.Max(0, prompts[row].Length - width));
            var start = row * width + width - prompt.Length;
            tokens.AsSpan(row * width, width - prompt.Length).Fill(padId);
            for (var i = 0; i < prompt.Length; i++)
            {
                tokens[start + i] = prompt[i];
                mask[start + i] = 1;
            }
        }

        return (tensor(tokens, [prompts.Count, width], device: device), tensor(mask, [prompts.Count, width], device: device));
    }
}

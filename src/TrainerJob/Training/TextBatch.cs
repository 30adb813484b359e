using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>
/// (prompt, response) sequences right-padded into one batch for scoring (reward model, log-probs, values).
/// Row b holds its prompt tokens at columns 0…p_b−1, its response tokens at p_b…p_b+r_b−1, then padding.
/// <para><b>Alignment with logits.</b> <c>logits[:, t]</c> (from <c>Gpt.Logits(Gpt.Hidden(InputIds, AttentionMask))</c>)
/// is the distribution of the token at column t + 1. <see cref="Targets"/> is <see cref="InputIds"/> shifted left by
/// one (last column PAD) and <see cref="ResponseMask"/><c>[b, t] = 1</c> exactly when <c>Targets[b, t]</c> is a response
/// token, i.e. for t ∈ [p_b − 1, p_b + r_b − 1). So the response log-probs are
/// <c>LogProbs.Sequence(LogProbs.OfTargets(logits, Targets), ResponseMask)</c>, and a per-position value head is read
/// at the same positions (the state before each response token).</para>
/// <para>Tensors are created in the caller's dispose scope, on the requested device.</para>
/// </summary>
public sealed record TextBatch
{
    private TextBatch(Tensor inputIds, Tensor attentionMask, Tensor targets, Tensor responseMask, Tensor lastTokenIndex, int[] promptLengths, int[] responseLengths)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        Targets = targets;
        ResponseMask = responseMask;
        LastTokenIndex = lastTokenIndex;
        PromptLengths = promptLengths;
        ResponseLengths = responseLengths;
    }

    /// <summary>(B, T) int64: prompt + response tokens, right-padded with the pad id.</summary>
    public Tensor InputIds { get; }

    /// <summary>(B, T) int64: 1 for real tokens, 0 for padding.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>(B, T) int64: next-token targets, <c>Targets[:, t] = InputIds[:, t + 1]</c>; the last column is PAD.</summary>
    public Tensor Targets { get; }

    /// <summary>(B, T) float32: 1 where <c>Targets[b, t]</c> is a response token (t ∈ [p_b − 1, p_b + r_b − 1)), else 0.</summary>
    public Tensor ResponseMask { get; }

    /// <summary>(B) int64: column of each row's last real token, p_b + r_b − 1 (where the reward head reads).</summary>
    public Tensor LastTokenIndex { get; }

    /// <summary>Prompt tokens kept per row (after left-truncation), p_b ≥ 1.</summary>
    public IReadOnlyList<int> PromptLengths { get; }

    /// <summary>Response tokens kept per row (EOS included when appended), r_b ≥ 0.</summary>
    public IReadOnlyList<int> ResponseLengths { get; }

    /// <summary>B.</summary>
    public int Count => PromptLengths.Count;

    /// <summary>
    /// Tokenizes (prompt, response) text pairs. An empty prompt becomes a single EOS (the document start, as the
    /// sampler does); with <paramref name="appendEos"/> the response ends with EOS (as a sampled completion that
    /// stopped does). See <see cref="FromTokens"/> for truncation.
    /// </summary>
    public static TextBatch FromText(
        ITokenizer tokenizer,
        IReadOnlyList<(string Prompt, string Response)> pairs,
        int maxLength,
        bool appendEos = true,
        Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(pairs);
        var prompts = new List<int[]>(pairs.Count);
        var responses = new List<int[]>(pairs.Count);
        foreach (var (prompt, response) in pairs)
        {
            var promptIds = tokenizer.Encode(prompt);
            prompts.Add(promptIds.Length > 0 ? promptIds : [tokenizer.EosId]);
            var responseIds = tokenizer.Encode(response);
            responses.Add(appendEos ? [.. responseIds, tokenizer.EosId] : responseIds);
        }

        return FromTokens(prompts, responses, tokenizer.PadId, maxLength, device);
    }

    /// <summary>
    /// Builds a batch from token ids (e.g. a sampler's prompts and responses, EOS already included where emitted).
    /// A row longer than <paramref name="maxLength"/> (at most the model's n_positions) first loses prompt tokens from
    /// the left, keeping at least one; if the response alone still does not fit it keeps its first
    /// <c>maxLength − 1</c> tokens. T = the longest kept row.
    /// </summary>
    /// <param name="prompts">Per row, at least one token.</param>
    /// <param name="responses">Per row, any number of tokens (none = score the prompt alone).</param>
    public static TextBatch FromTokens(
        IReadOnlyList<int[]> prompts,
        IReadOnlyList<int[]> responses,
        int padId,
        int maxLength,
        Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(responses);
        if (prompts.Count == 0 || prompts.Count != responses.Count)
        {
            throw new ArgumentException($"Need as many responses as prompts, at least one (got {prompts.Count} and {responses.Count}).", nameof(responses));
        }

        if (maxLength < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be >= 2.");
        }

        var b = prompts.Count;
        var promptLengths = new int[b];
        var responseLengths = new int[b];
        for (var row = 0; row < b; row++)
        {
            if (prompts[row].Length == 0)
            {
                throw new ArgumentException($"Prompt {row} is empty; give it at least one token (e.g. EOS).", nameof(prompts));
            }

            responseLengths[row] = Math.Min(responses[row].Length, maxLength - 1);
            promptLengths[row] = Math.Min(prompts[row].Length, maxLength - responseLengths[row]);
        }

        var t = Enumerable.Range(0, b).Max(row => promptLengths[row] + responseLengths[row]);
        var ids = new long[b * t];
        var mask = new long[b * t];
        var targets = new long[b * t];
        var responseMask = new float[b * t];
        var last = new long[b];
        Array.Fill(ids, padId);
        Array.Fill(targets, padId);
        for (var row = 0; row < b; row++)
        {
            var (p, r) = (promptLengths[row], responseLengths[row]);
            var prompt = prompts[row].AsSpan(prompts[row].Length - p);                         // left-truncated
            var response = responses[row].AsSpan(0, r);                                       // right-truncated
            var offset = row * t;
            for (var i = 0; i < p + r; i++)
            {
                ids[offset + i] = i < p ? prompt[i] : response[i - p];
                mask[offset + i] = 1;
                if (i > 0)
                {
                    targets[offset + i - 1] = ids[offset + i];
                }
            }

            responseMask.AsSpan(offset + p - 1, r).Fill(1);                                   // logits[p-1] predicts response[0]
            last[row] = p + r - 1;
        }

        return new TextBatch(
            tensor(ids, [b, t], device: device),
            tensor(mask, [b, t], device: device),
            tensor(targets, [b, t], device: device),
            tensor(responseMask, [b, t], device: device),
            tensor(last, [b], device: device),
            promptLengths,
            responseLengths);
    }
}

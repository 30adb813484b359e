using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>
/// One PPO rollout batch in the sampler's layout (query left-padded to width P, response at columns P…P+N−1) with
/// everything the update needs, recorded without gradients. Tensors live in the caller's dispose scope.
/// </summary>
/// <param name="Tokens">(B, P + N) int64 query + response; PAD after a row's EOS.</param>
/// <param name="AttentionMask">(B, P + N) int64: 1 for real query tokens and response tokens up to and including EOS.</param>
/// <param name="PromptLength">P.</param>
/// <param name="ResponseMask">(B, N) float32: 1…1 (EOS included) then trailing 0s.</param>
/// <param name="EndedWithEos">(B) bool.</param>
/// <param name="LogProbs">(B, N) log π_old of the sampled tokens (from logits / temperature).</param>
/// <param name="RefLogProbs">(B, N) log π_ref of the same tokens (from logits / temperature).</param>
/// <param name="Entropy">(B, N) entropy of π_old's next-token distributions.</param>
/// <param name="Values">(B, N) V_old(s_t) from the critic.</param>
/// <param name="Scores">(B) raw reward-model scores of query + response + EOS (<see cref="RewardModel.SampledBatch"/>); for an ensemble, mean − λ·std of its standardised heads (<see cref="RewardModel.PenalizedScore"/>).</param>
/// <param name="Prompts">The prompts' text, per row.</param>
/// <param name="Responses">The responses' text (EOS dropped), per row.</param>
public sealed record Rollout(
    Tensor Tokens,
    Tensor AttentionMask,
    int PromptLength,
    Tensor ResponseMask,
    Tensor EndedWithEos,
    Tensor LogProbs,
    Tensor RefLogProbs,
    Tensor Entropy,
    Tensor Values,
    Tensor Scores,
    IReadOnlyList<string> Prompts,
    IReadOnlyList<string> Responses)
{
    public int Count => Prompts.Count;
}

/// <summary>Steps 2–3 of a PPO iteration: sample responses with the KV-cache sampler, then score them with policy, reference, critic and reward model.</summary>
public static class RolloutCollector
{
    /// <param name="prompts">The batch's prompt texts.</param>
    /// <param name="generator">Sampling generator on the policy's device.</param>
    public static Rollout Collect(
        Gpt policy,
        Gpt reference,
        PpoCritic critic,
        RewardModel rewardModel,
        ITokenizer tokenizer,
        IReadOnlyList<string> prompts,
        PpoConfig config,
        Generator generator)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(rewardModel);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(config);

        // 2. roll out: the sampler left-pads the queries and stops each row at EOS or maxNewTokens.
        var queries = prompts.Select(p => Query(tokenizer, p, config.MaxPromptTokens)).ToList();
        var options = new SamplingOptions(config.MaxNewTokens, config.Temperature, config.TopK, config.TopP);
        var generated = Sampler.Generate(policy, queries, options, tokenizer.EosId, tokenizer.PadId, generator);
        var (tokens, mask, promptLength) = (generated.Tokens, generated.AttentionMask, generated.PromptLength);

        // 3. forward policy, reference and critic on query + response; reward-model score of the whole text.
        using var noGrad = no_grad();
        var current = RolloutForward.PolicyLogProbs(policy, tokens, mask, promptLength, config.Temperature); // (B, N) each
        var refLogProbs = RolloutForward.PolicyLogProbs(reference, tokens, mask, promptLength, config.Temperature).LogProbs;
        var values = critic.Values(tokens, mask, promptLength);                                              // (B, N)

        var responseIds = ResponseIds(generated);
        var scored = rewardModel.SampledBatch(queries, responseIds, generated.EndedWithEos);
        var scores = rewardModel.PenalizedScore(scored, config.UncertaintyPenalty).to(policy.Device);                       // (B)
        var texts = responseIds.Select((ids, row) => tokenizer.Decode(generated.EndedWithEos[row] ? ids.AsSpan(0, ids.Length - 1) : ids)).ToList();

        return new Rollout(
            tokens,
            mask,
            promptLength,
            generated.ResponseMask.to_type(ScalarType.Float32),
            tensor(generated.EndedWithEos, device: policy.Device),
            current.LogProbs,
            refLogProbs,
            current.Entropy,
            values,
            scores,
            prompts,
            texts);
    }

    /// <summary>The prompt's last <paramref name="maxTokens"/> tokens; an empty prompt starts from EOS (document start), as the <c>sample</c> verb does.</summary>
    public static int[] Query(ITokenizer tokenizer, string prompt, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var ids = tokenizer.Encode(prompt);
        return ids.Length == 0 ? [tokenizer.EosId] : ids[Math.Max(0, ids.Length - maxTokens)..];
    }

    /// <summary>Each row's generated tokens, EOS included when emitted.</summary>
    internal static List<int[]> ResponseIds(GenerationResult generated)
    {
        var width = (int)generated.ResponseTokens.shape[1];
        var all = generated.ResponseTokens.cpu().data<long>().ToArray();                                     // (B, N) row-major
        return [.. generated.ResponseLengths.Select((length, row) => all.AsSpan(row * width, length).ToArray().Select(t => (int)t).ToArray())];
    }
}

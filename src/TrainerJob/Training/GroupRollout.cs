using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>
/// One critic-free rollout: G completions of each prompt, rows in prompt-major order (rows g·G … g·G + G − 1 share
/// prompt g), in the sampler's layout (query left-padded to width P, response at columns P…P+N−1), recorded without
/// gradients. Tensors live in the caller's dispose scope.
/// </summary>
/// <param name="Tokens">(R, P + N) int64 query + completion, R = prompts × G.</param>
/// <param name="AttentionMask">(R, P + N) int64.</param>
/// <param name="PromptLength">P.</param>
/// <param name="ResponseMask">(R, N) float32: 1 up to and including EOS.</param>
/// <param name="EndedWithEos">(R) bool.</param>
/// <param name="OldLogProbs">(R, N) log π_old of the sampled tokens (logits / temperature).</param>
/// <param name="RefLogProbs">(R, N) log π_ref, or null when the verb's β is 0 (no reference model loaded).</param>
/// <param name="Entropy">(R, N) entropy of π_old's next-token distributions.</param>
/// <param name="Scores">(R) reward-model scores after normalisation and the missing-EOS penalty.</param>
/// <param name="Prompts">The prompt of each row.</param>
/// <param name="Completions">The completion text of each row (EOS dropped).</param>
public sealed record GroupRollout(
    Tensor Tokens,
    Tensor AttentionMask,
    int PromptLength,
    Tensor ResponseMask,
    Tensor EndedWithEos,
    Tensor OldLogProbs,
    Tensor? RefLogProbs,
    Tensor Entropy,
    Tensor Scores,
    IReadOnlyList<string> Prompts,
    IReadOnlyList<string> Completions)
{
    public int Rows => Prompts.Count;

    /// <summary>
    /// Samples G = <c>config.NumGenerations</c> completions of every prompt with the KV-cache sampler and records
    /// log π_old, log π_ref (when <paramref name="reference"/> is given) and the reward model's processed score.
    /// </summary>
    public static GroupRollout Collect(
        Gpt policy, Gpt? reference, RewardModel rewardModel, ITokenizer tokenizer, IReadOnlyList<string> prompts, CriticFreeConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(rewardModel);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(config);

        // 2. roll out G completions per prompt (prompt-major rows).
        var rowPrompts = prompts.SelectMany(p => Enumerable.Repeat(p, config.NumGenerations)).ToList();
        var queries = rowPrompts.Select(p => RolloutCollector.Query(tokenizer, p, config.MaxPromptTokens)).ToList();
        var options = new SamplingOptions(config.MaxNewTokens, config.Temperature, config.TopK, config.TopP);
        var generated = Sampler.Generate(policy, queries, options, tokenizer.EosId, tokenizer.PadId, generator);
        var (tokens, mask, promptLength) = (generated.Tokens, generated.AttentionMask, generated.PromptLength);

        // 3. log-probs of policy (and reference) and the reward model's score of each completion.
        using var noGrad = no_grad();
        var current = RolloutForward.PolicyLogProbs(policy, tokens, mask, promptLength, config.Temperature);             // (R, N) each
        var refLogProbs = reference is null ? null : RolloutForward.PolicyLogProbs(reference, tokens, mask, promptLength, config.Temperature).LogProbs;
        var responseIds = RolloutCollector.ResponseIds(generated);
        var raw = rewardModel.PenalizedScore(rewardModel.SampledBatch(queries, responseIds, generated.EndedWithEos), config.UncertaintyPenalty).to(policy.Device); // (R)
        var endedWithEos = tensor(generated.EndedWithEos, device: policy.Device);
        var scores = RewardShaping.ProcessScores(raw, endedWithEos, new RewardShapingOptions(
            KlCoef: 0,
            config.MissingEosPenalty,
            MissingEosMode.Subtract,
            ScoreClip: null,
            config.NormalizeScores ? rewardModel.Stats.Mean : null,
            config.NormalizeScores ? rewardModel.Stats.Std : null));
        var texts = responseIds.Select((ids, row) => tokenizer.Decode(generated.EndedWithEos[row] ? ids.AsSpan(0, ids.Length - 1) : ids)).ToList();
        return new GroupRollout(
            tokens, mask, promptLength, generated.ResponseMask.to_type(ScalarType.Float32), endedWithEos,
            current.LogProbs, refLogProbs, current.Entropy, scores, rowPrompts, texts);
    }
}

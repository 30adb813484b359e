using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Output of <see cref="Sampler.Generate"/>. Tensors live on the model's device and belong to the
/// caller's dispose scope.
/// </summary>
/// <param name="Tokens">(B, P + N) int64: left-padded prompts then responses; PAD after a row's EOS.</param>
/// <param name="AttentionMask">(B, P + N) int64: 1 for real prompt tokens and generated tokens up to and including EOS.</param>
/// <param name="PromptLength">P, the padded prompt width; responses start at this column.</param>
/// <param name="ResponseTokens">(B, N) int64, N = steps run (≤ MaxNewTokens).</param>
/// <param name="ResponseLengths">Generated tokens per row, EOS included.</param>
/// <param name="EndedWithEos">Whether each row stopped by emitting EOS (false = hit MaxNewTokens).</param>
public sealed record GenerationResult(
    Tensor Tokens,
    Tensor AttentionMask,
    int PromptLength,
    Tensor ResponseTokens,
    int[] ResponseLengths,
    bool[] EndedWithEos)
{
    /// <summary>(B, N) int64 mask of the response part: 1 up to and including EOS.</summary>
    public Tensor ResponseMask => AttentionMask.narrow(1, PromptLength, ResponseTokens.shape[1]);
}

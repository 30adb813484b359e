using Rlhf.TrainerJob.Model;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>
/// Model FLOPs of training (PaLM, Chowdhery et al. 2022, appendix B): per token 6·N for the matmuls' forward and
/// backward, plus 12·L·T·C for attention scores and values (causal masking not discounted). N counts the
/// parameters that enter a matmul: all of them except the position embedding; the token embedding is counted
/// once, as the tied LM head (nanoGPT's <c>estimate_mfu</c> convention).
/// </summary>
public static class FlopEstimate
{
    /// <summary>N: parameters minus the position embedding (n_positions × n_embd).</summary>
    public static long MatmulParameters(Gpt model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ParameterCount - (long)model.Config.NPositions * model.Config.NEmbd;
    }

    /// <summary>6·N + 12·L·T·C FLOPs per trained token at sequence length <paramref name="sequenceLength"/> (T).</summary>
    public static double TrainingPerToken(GptConfig config, long matmulParameters, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (6.0 * matmulParameters) + (12.0 * config.NLayer * sequenceLength * config.NEmbd);
    }
}

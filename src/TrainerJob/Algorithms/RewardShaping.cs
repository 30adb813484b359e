using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>
/// Options of <see cref="RewardShaping"/>. Scores are processed in this order:
/// normalise ((s − mean) / std, when both are given) → clip to [−clip, clip] → missing-EOS penalty.
/// </summary>
/// <param name="KlCoef">β of the per-token penalty −β·KL.</param>
/// <param name="MissingEosPenalty">Penalty (≥ 0) for responses without EOS; null = none.</param>
/// <param name="MissingEosMode">Subtract the penalty from the score or replace the score by −penalty.</param>
/// <param name="ScoreClip">Clip scores to [−ScoreClip, ScoreClip]; null = no clipping.</param>
/// <param name="ScoreMean">Reward-model score mean for normalisation; null = no normalisation.</param>
/// <param name="ScoreStd">Reward-model score standard deviation for normalisation (&gt; 0).</param>
public sealed record RewardShapingOptions(
    double KlCoef,
    double? MissingEosPenalty = null,
    MissingEosMode MissingEosMode = MissingEosMode.Subtract,
    double? ScoreClip = null,
    double? ScoreMean = null,
    double? ScoreStd = null);

/// <summary>Per-token rewards (B, T), the processed scores (B) and the KL part of the rewards (B, T).</summary>
public sealed record ShapedRewards(Tensor Rewards, Tensor Scores, Tensor NonScoreRewards);

/// <summary>
/// PPO reward shaping (Ziegler et al. 2019; InstructGPT eq. 2; TRL):
/// <c>rewards_t = −β·kl_t</c> on every response token, plus the reward-model score on the last
/// real response token (the EOS token, or the last token of a truncated response).
/// </summary>
public static class RewardShaping
{
    /// <param name="scores">(B) reward-model scores of the full responses.</param>
    /// <param name="klPerToken">(B, T) per-token KL estimate (see <see cref="KlEstimators"/>).</param>
    /// <param name="mask">(B, T) response mask, trailing 0s after EOS, at least one 1 per row.</param>
    /// <param name="endedWithEos">(B) bool: whether the response contains EOS.</param>
    /// <param name="options">KL coefficient and score processing.</param>
    public static ShapedRewards Compute(
        Tensor scores, Tensor klPerToken, Tensor mask, Tensor endedWithEos, RewardShapingOptions options)
    {
        MaskedOps.RequireSameShape(klPerToken, mask, nameof(klPerToken), nameof(mask));
        var batch = klPerToken.shape[0];
        if (scores.dim() != 1 || scores.shape[0] != batch || endedWithEos.dim() != 1 || endedWithEos.shape[0] != batch)
        {
            throw new ArgumentException($"scores and endedWithEos must be ({batch}).");
        }

        var m = MaskedOps.AsFloat(mask, klPerToken);
        var lengths = m.sum(1).to_type(ScalarType.Int64); // (B)
        if (lengths.lt(1).any().item<bool>())
        {
            throw new ArgumentException("every response needs at least one token in the mask.", nameof(mask));
        }

        var processed = ProcessScores(scores.to_type(klPerToken.dtype), endedWithEos, options); // (B)
        var nonScore = -options.KlCoef * klPerToken * m; // (B, T)
        var lastIndex = (lengths - 1).unsqueeze(1); // (B, 1)
        var rewards = nonScore.scatter_add(1, lastIndex, processed.unsqueeze(1)); // (B, T)
        return new ShapedRewards(rewards, processed, nonScore);
    }

    /// <summary>Normalise, clip, then apply the missing-EOS penalty: (B) → (B).</summary>
    public static Tensor ProcessScores(Tensor scores, Tensor endedWithEos, RewardShapingOptions options)
    {
        var s = scores;
        if (options.ScoreMean is { } mean && options.ScoreStd is { } std)
        {
            if (std <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), std, "ScoreStd must be > 0.");
            }

            s = (s - mean) / std;
        }

        if (options.ScoreClip is { } clip)
        {
            s = s.clamp(-clip, clip);
        }

        if (options.MissingEosPenalty is { } penalty)
        {
            var missing = endedWithEos.logical_not(); // (B) bool
            var penalised = options.MissingEosMode == MissingEosMode.Subtract ? s - penalty : full_like(s, -penalty);
            s = where(missing, penalised, s);
        }

        return s;
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>Advantages (B, T) and value targets returns = advantages + values (B, T); 0 outside the mask.</summary>
public sealed record GaeResult(Tensor Advantages, Tensor Returns);

/// <summary>
/// Generalised advantage estimation (Schulman et al. 2016) over a batch of responses, with the
/// reverse-time loop of TRL / CleanRL:
/// <c>δ_t = r_t + γ V_{t+1} − V_t;  A_t = δ_t + γλ A_{t+1}</c>.
/// The episode ends at the last real token: the value after it is 0, so A there is r − V.
/// </summary>
public static class Gae
{
    /// <param name="rewards">(B, T) per-token rewards.</param>
    /// <param name="values">(B, T) value estimates V(s_t); treated as constants (detached).</param>
    /// <param name="mask">(B, T) 1 for response tokens, then trailing 0s after EOS.</param>
    /// <param name="gamma">Discount γ.</param>
    /// <param name="lambda">GAE λ.</param>
    public static GaeResult Compute(Tensor rewards, Tensor values, Tensor mask, double gamma, double lambda)
    {
        MaskedOps.RequireSameShape(rewards, values, nameof(rewards), nameof(values));
        MaskedOps.RequireSameShape(rewards, mask, nameof(rewards), nameof(mask));
        if (rewards.dim() != 2)
        {
            throw new ArgumentException($"rewards must be (B, T), got {rewards.dim()} dimensions.", nameof(rewards));
        }

        var m = MaskedOps.AsFloat(mask, values);
        RequireTrailingPadding(m);
        var r = rewards.detach() * m; // (B, T) padding contributes nothing
        var v = values.detach() * m; // (B, T) value after the last real token reads as 0
        var steps = r.shape[1];

        var reversed = new Tensor[steps];
        var lastGaeLam = zeros_like(r.select(1, 0)); // (B)
        for (var t = steps - 1; t >= 0; t--)
        {
            var nextValues = t < steps - 1 ? v.select(1, t + 1) : zeros_like(lastGaeLam); // (B)
            var delta = r.select(1, t) + gamma * nextValues - v.select(1, t); // (B)
            lastGaeLam = delta + gamma * lambda * lastGaeLam; // (B)
            reversed[t] = lastGaeLam;
        }

        var advantages = stack(reversed, 1) * m; // (B, T)
        return new GaeResult(advantages, advantages + v);
    }

    /// <summary>Masks must be 1…1 0…0 per row: a response token after padding is a caller bug.</summary>
    private static void RequireTrailingPadding(Tensor mask)
    {
        if (mask.shape[1] < 2)
        {
            return;
        }

        var steps = mask.shape[1];
        var later = mask.narrow(1, 1, steps - 1);
        var earlier = mask.narrow(1, 0, steps - 1);
        if (later.gt(earlier).any().item<bool>())
        {
            throw new ArgumentException("mask must be 1s followed by trailing 0s in every row.", nameof(mask));
        }
    }
}

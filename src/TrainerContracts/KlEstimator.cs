namespace Rlhf.TrainerContracts;

/// <summary>Per-token estimators of KL(π ‖ π_ref) from tokens sampled from π (Schulman, "Approximating KL divergence").</summary>
public enum KlEstimator
{
    /// <summary>k1 = log π − log π_ref: unbiased, high variance, can be negative per token.</summary>
    K1,

    /// <summary>k2 = ½ (log π − log π_ref)²: biased, low variance, ≥ 0.</summary>
    K2,

    /// <summary>k3 = (r − 1) − log r with r = π_ref / π: unbiased, lower variance, ≥ 0.</summary>
    K3,
}

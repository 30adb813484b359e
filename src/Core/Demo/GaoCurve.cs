namespace Rlhf.Core.Demo;

/// <summary>
/// Gao et al. (2022), "Scaling Laws for Reward Model Overoptimization": for RL against a proxy reward, the gold reward
/// gained at d = √KL(π ‖ π_init) follows R(d) = d·(α − β·ln d). Linear in (α, β), so least squares has a closed form:
/// with x₁ = d and x₂ = −d·ln d, minimise Σ (yᵢ − α·x₁ᵢ − β·x₂ᵢ)² via the 2 × 2 normal equations. R(0) = 0 (d·ln d → 0),
/// so y is the gain over the starting policy. The gold peaks at d* = exp(α/β − 1) when β &gt; 0.
/// </summary>
public sealed record GaoCurve(double Alpha, double Beta)
{
    /// <summary>R(d) = d·(α − β·ln d); R(0) = 0.</summary>
    public double At(double d) => d <= 0 ? 0 : d * (Alpha - (Beta * Math.Log(d)));

    /// <summary>√KL at which R peaks, exp(α/β − 1); null when β ≤ 0 (no peak: the gold still rises).</summary>
    public double? PeakAt => Beta > 0 ? Math.Exp((Alpha / Beta) - 1) : null;

    /// <summary>
    /// The least-squares fit to points (d, y) with d = √KL ≥ 0 and y the gold gain; null when fewer than two points have
    /// d &gt; 0 or the normal equations are singular (e.g. every d equal to 1, where ln d = 0).
    /// </summary>
    public static GaoCurve? Fit(IReadOnlyList<(double D, double Gain)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        double s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0;
        var used = 0;
        foreach (var (d, y) in points)
        {
            if (d <= 0 || !double.IsFinite(d) || !double.IsFinite(y))
            {
                continue;
            }

            var (x1, x2) = (d, -d * Math.Log(d));
            s11 += x1 * x1;
            s12 += x1 * x2;
            s22 += x2 * x2;
            t1 += x1 * y;
            t2 += x2 * y;
            used++;
        }

        var det = (s11 * s22) - (s12 * s12);
        if (used < 2 || Math.Abs(det) <= 1e-12 * Math.Max(1, s11 * s22))
        {
            return null;
        }

        return new GaoCurve(((t1 * s22) - (t2 * s12)) / det, ((s11 * t2) - (s12 * t1)) / det);
    }
}

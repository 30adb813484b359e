using Rlhf.Core.Demo;

namespace Rlhf.Core.Tests.Demo;

/// <summary>The least-squares fit of Gao et al.'s R(d) = d·(α − β·ln d), against numbers worked by hand.</summary>
public sealed class GaoCurveTests
{
    [Fact]
    public void Points_on_a_curve_give_back_its_alpha_and_beta_and_its_peak()
    {
        // α = 1, β = 0.5: R(1) = 1, R(2) = 2 − ln 2, R(e) = e / 2; the peak is at d = exp(α/β − 1) = e.
        var fit = GaoCurve.Fit([(0, 0), (1, 1), (2, 2 - Math.Log(2)), (Math.E, Math.E / 2)])!;

        Assert.Equal(1, fit.Alpha, 12);
        Assert.Equal(0.5, fit.Beta, 12);
        Assert.Equal(Math.E, fit.PeakAt!.Value, 12);
        Assert.Equal(0, fit.At(0));
        Assert.Equal(2 - Math.Log(2), fit.At(2), 12);
    }

    [Fact]
    public void A_flat_gain_is_fitted_by_the_normal_equations()
    {
        // x₁ = d, x₂ = −d·ln d at d = 1, 2, e; y = 1:
        // S₁₁ = 1 + 4 + e² = 12.389056, S₁₂ = 0 − 4 ln 2 − e² = −10.161645, S₂₂ = 0 + 4 ln² 2 + e² = 9.310868,
        // T₁ = 1 + 2 + e = 5.718282, T₂ = −2 ln 2 − e = −4.104576, det = S₁₁S₂₂ − S₁₂² = 12.093842,
        // α = (T₁S₂₂ − T₂S₁₂) / det = 0.953619, β = (S₁₁T₂ − S₁₂T₁) / det = 0.599919.
        var fit = GaoCurve.Fit([(1, 1), (2, 1), (Math.E, 1)])!;

        Assert.Equal(0.953619, fit.Alpha, 6);
        Assert.Equal(0.599919, fit.Beta, 6);
    }

    [Fact]
    public void A_still_rising_gain_has_no_peak()
    {
        var fit = GaoCurve.Fit([(1, 1), (2, 2.5), (3, 4.5)])!;

        Assert.True(fit.Beta <= 0);
        Assert.Null(fit.PeakAt);
    }

    [Fact]
    public void Too_few_points_away_from_zero_give_no_fit()
    {
        Assert.Null(GaoCurve.Fit([(0, 0), (1.5, 0.4)]));
        Assert.Null(GaoCurve.Fit([(0, 0), (1, 0.2), (1, 0.3)]));   // ln 1 = 0: x₂ = 0 for both, singular
    }
}

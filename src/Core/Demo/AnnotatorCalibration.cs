namespace Rlhf.Core.Demo;

/// <summary>
/// Closed-form statistics of <see cref="BradleyTerryAnnotator"/> over a set of pairs, and the temperature
/// that makes independent simulated annotators agree as often as real ones (InstructGPT reports ~73 %).
/// With pᵢ = P(A ≻ B) for pair i:
/// <code>
/// agreement(T) = mean_i [ pᵢ² + (1 − pᵢ)² ]        two independent annotators give the same label
/// ceiling(T)   = mean_i [ P(label = gold order) ]   = mean σ(|aᵢ − bᵢ| / T), ties count ½
/// </code>
/// Both fall monotonically from their T → 0 value to ½ as T → ∞, so bisection on log T finds the temperature.
/// </summary>
public static class AnnotatorCalibration
{
    public static double ExpectedAgreement(IReadOnlyList<GoldPair> pairs, double temperature) =>
        Mean(pairs, p =>
        {
            var prob = BradleyTerryAnnotator.PreferenceProbability(p.GoldA, p.GoldB, temperature);
            return (prob * prob) + ((1 - prob) * (1 - prob));
        });

    /// <summary>Expected share of labels that agree with the gold ordering (the best accuracy any reward model can reach on these labels).</summary>
    public static double ExpectedCeilingAccuracy(IReadOnlyList<GoldPair> pairs, double temperature) =>
        Mean(pairs, p => BradleyTerryAnnotator.PreferenceProbability(Math.Abs(p.GoldA - p.GoldB), 0, temperature));

    /// <summary>Measured share of <paramref name="labels"/> (true = A preferred) that agree with the gold ordering; ties count ½.</summary>
    public static double CeilingAccuracy(IReadOnlyList<GoldPair> pairs, IReadOnlyList<bool> labels)
    {
        CheckSameLength(pairs, labels);
        return Mean(pairs, (p, i) => p.GoldA == p.GoldB ? 0.5 : (p.GoldA > p.GoldB) == labels[i] ? 1 : 0);
    }

    /// <summary>Measured share of pairs on which two label sets agree.</summary>
    public static double Agreement(IReadOnlyList<bool> first, IReadOnlyList<bool> second)
    {
        if (first.Count != second.Count || first.Count == 0)
        {
            throw new ArgumentException("Label sets must be non-empty and of equal length.", nameof(second));
        }

        return first.Zip(second).Count(x => x.First == x.Second) / (double)first.Count;
    }

    /// <summary>
    /// The temperature at which <see cref="ExpectedAgreement"/> equals <paramref name="targetAgreement"/>
    /// (to within <paramref name="tolerance"/>), by bisection on log T over [1e-6, 1e6] times the mean |a − b|.
    /// </summary>
    public static double CalibrateTemperature(IReadOnlyList<GoldPair> pairs, double targetAgreement, double tolerance = 1e-6)
    {
        var scale = Mean(pairs, p => Math.Abs(p.GoldA - p.GoldB));
        var lo = Math.Log(1e-6 * scale);
        var hi = Math.Log(1e6 * scale);
        var max = ExpectedAgreement(pairs, Math.Exp(lo));
        if (scale == 0 || targetAgreement <= 0.5 || targetAgreement >= max)
        {
            throw new ArgumentOutOfRangeException(nameof(targetAgreement), targetAgreement,
                $"Target agreement must lie in (0.5, {max:F4}) for these pairs.");
        }

        for (var iteration = 0; iteration < 200; iteration++)
        {
            var mid = (lo + hi) / 2;
            var agreement = ExpectedAgreement(pairs, Math.Exp(mid));
            if (Math.Abs(agreement - targetAgreement) <= tolerance)
            {
                return Math.Exp(mid);
            }

            // Agreement falls as T grows: too much agreement means T is still too small.
            (lo, hi) = agreement > targetAgreement ? (mid, hi) : (lo, mid);
        }

        return Math.Exp((lo + hi) / 2);
    }

    private static double Mean(IReadOnlyList<GoldPair> pairs, Func<GoldPair, double> f) => Mean(pairs, (p, _) => f(p));

    private static double Mean(IReadOnlyList<GoldPair> pairs, Func<GoldPair, int, double> f)
    {
        if (pairs.Count == 0)
        {
            throw new ArgumentException("At least one pair is required.", nameof(pairs));
        }

        return pairs.Select(f).Sum() / pairs.Count;
    }

    private static void CheckSameLength(IReadOnlyList<GoldPair> pairs, IReadOnlyList<bool> labels)
    {
        if (pairs.Count != labels.Count)
        {
            throw new ArgumentException($"Got {labels.Count} labels for {pairs.Count} pairs.", nameof(labels));
        }
    }
}

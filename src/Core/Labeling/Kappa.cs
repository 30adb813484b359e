namespace Rlhf.Core.Labeling;

/// <summary>Chance-corrected agreement statistics over categorical labels.</summary>
public static class Kappa
{
    /// <summary>Share of items on which two raters gave the same label (null when there are no items).</summary>
    public static double? PercentAgreement<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        CheckPaired(a, b);
        return a.Count == 0 ? null : a.Zip(b).Count(p => EqualityComparer<T>.Default.Equals(p.First, p.Second)) / (double)a.Count;
    }

    /// <summary>
    /// Cohen's κ = (pₒ − pₑ) / (1 − pₑ) for two raters over the same items: pₒ the observed agreement,
    /// pₑ = Σₖ pₐ(k)·p_b(k) the agreement expected from each rater's label frequencies. Null when there are
    /// no items or pₑ = 1 (both raters always give the same single label: κ is undefined).
    /// </summary>
    public static double? Cohen<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
        where T : notnull
    {
        CheckPaired(a, b);
        if (a.Count == 0)
        {
            return null;
        }

        var n = (double)a.Count;
        var observed = PercentAgreement(a, b)!.Value;
        var countsA = a.CountBy(x => x).ToDictionary();
        var countsB = b.CountBy(x => x).ToDictionary();
        var expected = countsA.Sum(kv => kv.Value / n * (countsB.TryGetValue(kv.Key, out var m) ? m / n : 0));
        return expected >= 1 ? null : (observed - expected) / (1 - expected);
    }

    /// <summary>
    /// Fleiss' κ for many raters. <paramref name="counts"/>[i][j] = raters who put item i in category j; items
    /// may have different rater counts nᵢ (items with fewer than 2 are skipped). With
    /// Pᵢ = (Σⱼ nᵢⱼ² − nᵢ) / (nᵢ(nᵢ − 1)), P̄ = mean Pᵢ, pⱼ = Σᵢ nᵢⱼ / Σᵢ nᵢ, P̄ₑ = Σⱼ pⱼ²:
    /// κ = (P̄ − P̄ₑ) / (1 − P̄ₑ) (Fleiss 1971; equal nᵢ gives the textbook formula). Null when no item has
    /// two ratings or P̄ₑ = 1.
    /// </summary>
    public static double? Fleiss(IReadOnlyList<IReadOnlyList<int>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var items = counts.Where(row => row.Sum() >= 2).ToList();
        if (items.Count == 0)
        {
            return null;
        }

        var categories = items.Max(row => row.Count);
        if (items.Any(row => row.Count != categories || row.Any(c => c < 0)))
        {
            throw new ArgumentException("Every item needs a non-negative count for each category.", nameof(counts));
        }

        var meanP = items.Average(row =>
        {
            var n = (double)row.Sum();
            return (row.Sum(c => (double)c * c) - n) / (n * (n - 1));
        });
        var total = (double)items.Sum(row => row.Sum());
        var expected = Enumerable.Range(0, categories).Sum(j => Math.Pow(items.Sum(row => row[j]) / total, 2));
        return expected >= 1 ? null : (meanP - expected) / (1 - expected);
    }

    private static void CheckPaired<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"The two raters labeled {a.Count} and {b.Count} items; agreement needs the same items.", nameof(b));
        }
    }
}

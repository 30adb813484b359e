using Rlhf.Core.Demo;

namespace Rlhf.Core.Labeling;

/// <summary>
/// ROUGE-L (Lin 2004) over <see cref="WordTokenizer"/> words: with L = LCS(candidate, reference),
/// P = L/|candidate|, R = L/|reference|, F1 = 2PR/(P + R) (0 when L = 0).
/// </summary>
public static class RougeL
{
    /// <summary>Length of the longest common subsequence (O(n·m) dynamic programme, two rows).</summary>
    public static int Lcs(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (var i = 1; i <= a.Count; i++)
        {
            for (var j = 1; j <= b.Count; j++)
            {
                current[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal)
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Count];
    }

    public static double F1(string candidate, string reference)
    {
        var c = WordTokenizer.Words(candidate);
        var r = WordTokenizer.Words(reference);
        var lcs = Lcs(c, r);
        if (lcs == 0)
        {
            return 0;
        }

        var (precision, recall) = (lcs / (double)c.Count, lcs / (double)r.Count);
        return 2 * precision * recall / (precision + recall);
    }
}

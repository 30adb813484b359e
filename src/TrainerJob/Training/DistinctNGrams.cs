using Rlhf.Core.Demo;

namespace Rlhf.TrainerJob.Training;

/// <summary>
/// Distinct-n of two sets of completions, made comparable (docs/alarms.md, <c>distinct_collapse</c>).
/// <list type="bullet">
/// <item>Words are <see cref="WordTokenizer"/>'s (lower-cased, punctuation stripped: "States." is "states").</item>
/// <item>With a dictionary (the gold's fluency model, built from held-out public text), n-grams holding a word it does
/// not know are left out: an SFT model's non-words ("tridivencllif") are each a new type and would otherwise count as
/// vocabulary, so a policy that merely stopped writing them would look collapsed.</item>
/// <item>Both sides are measured at the same number of n-grams by rarefaction (Hurlbert 1971): the expected share of
/// distinct n-grams in m drawn without replacement, m the smaller side's count. A raw type/token ratio falls as text
/// grows (Heaps' law), so longer answers would read as a collapse and shorter ones as diversity.</item>
/// </list>
/// </summary>
public static class DistinctNGrams
{
    /// <summary>The dictionary distinct-n counts words of: the words the gold's fluency model knows; null without a V2 gold (every word counts).</summary>
    public static Func<string, bool>? DictionaryOf(GoldScorer? gold) =>
        gold?.Fluency?.Model is { } model ? word => model.Id(word) != model.Unknown : null;

    /// <summary>Word n-grams of each completion (none across completions); with <paramref name="isWord"/>, only n-grams of known words.</summary>
    public static List<string> Grams(IEnumerable<string> completions, int n, Func<string, bool>? isWord = null)
    {
        ArgumentNullException.ThrowIfNull(completions);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var grams = new List<string>();
        foreach (var text in completions)
        {
            var words = WordTokenizer.Words(text);
            for (var i = 0; i + n <= words.Count; i++)
            {
                var gram = words.Skip(i).Take(n).ToList();
                if (isWord is null || gram.All(isWord))
                {
                    grams.Add(string.Join(' ', gram));
                }
            }
        }

        return grams;
    }

    /// <summary>
    /// Expected distinct n-grams in a sample of <paramref name="m"/> of <paramref name="grams"/> drawn without replacement,
    /// divided by m: Σ over types of 1 − C(N − nᵢ, m) / C(N, m). Equals the plain distinct share when m = N; 0 when m is 0.
    /// </summary>
    public static double Rarefied(IReadOnlyList<string> grams, int m)
    {
        ArgumentNullException.ThrowIfNull(grams);
        var total = grams.Count;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(m, total);
        if (m <= 0)
        {
            return 0;
        }

        var logFactorial = new double[total + 1];
        for (var k = 2; k <= total; k++)
        {
            logFactorial[k] = logFactorial[k - 1] + Math.Log(k);
        }

        // log C(a, m) − log C(N, m) = log a! − log (a − m)! − log N! + log (N − m)!
        var expected = 0.0;
        foreach (var count in grams.CountBy(g => g, StringComparer.Ordinal).Select(p => p.Value))
        {
            var rest = total - count;
            var missed = rest < m ? 0 : Math.Exp(logFactorial[rest] - logFactorial[rest - m] - logFactorial[total] + logFactorial[total - m]);
            expected += 1 - missed;
        }

        return expected / m;
    }

    /// <summary>Distinct-n of the policy and the reference at the same size (the smaller side's n-gram count).</summary>
    public static (double Policy, double Reference) Compare(IEnumerable<string> policy, IEnumerable<string> reference, int n, Func<string, bool>? isWord = null)
    {
        var (p, r) = (Grams(policy, n, isWord), Grams(reference, n, isWord));
        var m = Math.Min(p.Count, r.Count);
        return (Rarefied(p, m), Rarefied(r, m));
    }
}

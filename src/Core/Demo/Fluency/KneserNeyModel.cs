namespace Rlhf.Core.Demo.Fluency;

/// <summary>
/// An interpolated modified Kneser–Ney word n-gram language model (Chen &amp; Goodman 1998, §3.4), built in memory
/// from tokenised sentences. Each sentence is padded as <c>&lt;s&gt; w₁ … wₘ &lt;/s&gt;</c>. For a k-gram g the
/// adjusted count a(g) is its raw count c(g) at the highest order N and for k-grams that start with <c>&lt;s&gt;</c>
/// (they have no left neighbour); otherwise it is the continuation count N₁₊(• g), the number of distinct words seen
/// just before g. With S(h) = Σ_w a(hw) and N₁(h), N₂(h), N₃₊(h) the numbers of words w with a(hw) = 1, 2, ≥ 3:
/// <code>
/// P(w | h)  = max(a(hw) − D_k(a(hw)), 0) / S(h) + γ(h) · P(w | h′)     h′ = h without its first word
/// γ(h)      = (D_k,1 · N₁(h) + D_k,2 · N₂(h) + D_k,3+ · N₃₊(h)) / S(h)
/// P(w | h)  = P(w | h′)                                                when S(h) = 0 (unseen context)
/// P(w)      = max(a(w) − D_1(a(w)), 0) / S + γ · 1/|V|                 V = seen words, &lt;/s&gt; and &lt;unk&gt;
/// Y = n₁/(n₁ + 2n₂), D_k,1 = 1 − 2Y·n₂/n₁, D_k,2 = 2 − 3Y·n₃/n₂, D_k,3+ = 3 − 4Y·n₄/n₃
/// </code>
/// where n_i is the number of k-grams with adjusted count i. A discount the formula cannot give (a count of counts
/// is 0) or that falls outside [0.1, i] is clamped there, which keeps every P(· | h) a distribution over V.
/// <c>&lt;s&gt;</c> is context only and never predicted. Words are ids from <see cref="Id"/>; unknown words map to
/// <see cref="Unknown"/>.
/// </summary>
public sealed class KneserNeyModel
{
    public const string SentenceStart = "<s>";
    public const string SentenceEnd = "</s>";
    public const string UnknownWord = "<unk>";

    private const int Bits = 24;
    private static readonly UInt128 IdMask = (UInt128.One << Bits) - 1;

    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<UInt128, int>[] _adjusted;      // [k − 1]: a(g) for k-grams g
    private readonly Dictionary<UInt128, ContextStats>[] _contexts; // [k − 1]: S, N₁, N₂, N₃₊ of contexts of k-grams (k ≥ 2)
    private readonly double[][] _discounts;                    // [k − 1] = [D₁, D₂, D₃₊]
    private readonly long _unigramTotal;
    private readonly double _unigramGamma;

    private KneserNeyModel(int order, Dictionary<string, int> ids, Dictionary<UInt128, int>[] adjusted,
        Dictionary<UInt128, ContextStats>[] contexts, double[][] discounts)
    {
        Order = order;
        _ids = ids;
        _adjusted = adjusted;
        _contexts = contexts;
        _discounts = discounts;
        Start = ids[SentenceStart];
        End = ids[SentenceEnd];
        Unknown = ids[UnknownWord];
        foreach (var (_, a) in adjusted[0])
        {
            _unigramTotal += a;
        }

        var d = discounts[0];
        _unigramGamma = adjusted[0].Values.Sum(a => Discount(d, a)) / _unigramTotal;
    }

    public int Order { get; }

    public int Start { get; }

    public int End { get; }

    public int Unknown { get; }

    /// <summary>|V|: every word the model can predict, &lt;/s&gt; and &lt;unk&gt; included, &lt;s&gt; excluded.</summary>
    public int VocabularySize => _ids.Count - 1;

    /// <summary>The predictable vocabulary's ids (all but <see cref="Start"/>).</summary>
    public IEnumerable<int> Vocabulary => _ids.Values.Where(id => id != Start);

    /// <summary>[D₁, D₂, D₃₊] of order <paramref name="k"/> (1 = unigrams).</summary>
    public IReadOnlyList<double> Discounts(int k) => _discounts[k - 1];

    public int Id(string word) => _ids.TryGetValue(word, out var id) ? id : Unknown;

    /// <summary>Builds the model from sentences of tokens (without &lt;s&gt;/&lt;/s&gt;, which it adds).</summary>
    public static KneserNeyModel Build(IEnumerable<IReadOnlyList<string>> sentences, int order)
    {
        if (order is < 1 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "Order must be between 1 and 5.");
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal) { [SentenceStart] = 0, [SentenceEnd] = 1, [UnknownWord] = 2 };
        var raw = Enumerable.Range(0, order).Select(_ => new Dictionary<UInt128, int>()).ToArray();
        var padded = new List<int>();
        foreach (var sentence in sentences)
        {
            padded.Clear();
            padded.Add(0);
            foreach (var word in sentence)
            {
                if (!ids.TryGetValue(word, out var id))
                {
                    id = ids.Count;
                    if (id > (int)IdMask - 1)
                    {
                        throw new InvalidDataException($"Vocabulary exceeds {(int)IdMask - 1} words.");
                    }

                    ids[word] = id;
                }

                padded.Add(id);
            }

            padded.Add(1);
            for (var end = 1; end < padded.Count; end++)
            {
                for (var k = 1; k <= order && end - k + 1 >= 0; k++)
                {
                    var key = Pack(padded, end - k + 1, k);
                    raw[k - 1][key] = raw[k - 1].GetValueOrDefault(key) + 1;
                }
            }
        }

        var adjusted = new Dictionary<UInt128, int>[order];
        adjusted[order - 1] = raw[order - 1];
        for (var k = order - 1; k >= 1; k--)
        {
            var a = new Dictionary<UInt128, int>();
            foreach (var key in raw[k].Keys)
            {
                var suffix = key & Mask(k);
                a[suffix] = a.GetValueOrDefault(suffix) + 1;
            }

            foreach (var (key, count) in raw[k - 1])
            {
                if (FirstId(key, k) == 0)
                {
                    a[key] = count;
                }
            }

            adjusted[k - 1] = a;
        }

        var contexts = new Dictionary<UInt128, ContextStats>[order];
        var discounts = new double[order][];
        for (var k = 1; k <= order; k++)
        {
            discounts[k - 1] = EstimateDiscounts(adjusted[k - 1].Values);
            var stats = new Dictionary<UInt128, ContextStats>();
            if (k >= 2)
            {
                foreach (var (key, a) in adjusted[k - 1])
                {
                    var context = key >> Bits;
                    var s = stats.GetValueOrDefault(context);
                    stats[context] = new ContextStats(s.Total + a, s.N1 + (a == 1 ? 1 : 0), s.N2 + (a == 2 ? 1 : 0), s.N3 + (a >= 3 ? 1 : 0));
                }
            }

            contexts[k - 1] = stats;
        }

        return new KneserNeyModel(order, ids, adjusted, contexts, discounts);
    }

    /// <summary>ln P(word | context), using at most the last <see cref="Order"/> − 1 ids of <paramref name="context"/>.</summary>
    public double LogProbability(ReadOnlySpan<int> context, int word) => Math.Log(Probability(context, word));

    /// <summary>P(word | context), using at most the last <see cref="Order"/> − 1 ids of <paramref name="context"/>.</summary>
    public double Probability(ReadOnlySpan<int> context, int word)
    {
        if (context.Length > Order - 1)
        {
            context = context[^(Order - 1)..];
        }

        // Interpolate from the unigram level up: p_k = (max(a − D, 0) + γ-mass · p_{k−1}) / S at each seen context.
        var a1 = _adjusted[0].GetValueOrDefault(WordKey(word));
        var p = (Math.Max(a1 - Discount(_discounts[0], a1), 0) / _unigramTotal) + (_unigramGamma / VocabularySize);
        for (var k = 2; k <= context.Length + 1; k++)
        {
            var h = context[^(k - 1)..];
            var hKey = Pack(h);
            if (!_contexts[k - 1].TryGetValue(hKey, out var stats))
            {
                continue;
            }

            var d = _discounts[k - 1];
            var a = _adjusted[k - 1].GetValueOrDefault((hKey << Bits) | (uint)(word + 1));
            var gamma = ((d[0] * stats.N1) + (d[1] * stats.N2) + (d[2] * stats.N3)) / stats.Total;
            p = (Math.Max(a - Discount(d, a), 0) / stats.Total) + (gamma * p);
        }

        return p;
    }

    private static double Discount(double[] d, int a) => a switch { 0 => 0, 1 => d[0], 2 => d[1], _ => d[2] };

    private static double[] EstimateDiscounts(IEnumerable<int> adjustedCounts)
    {
        var n = new double[5];
        foreach (var a in adjustedCounts)
        {
            if (a <= 4)
            {
                n[a]++;
            }
        }

        var y = n[1] / (n[1] + (2 * n[2]));
        return [Clamp(1 - (2 * y * n[2] / n[1]), 1), Clamp(2 - (3 * y * n[3] / n[2]), 2), Clamp(3 - (4 * y * n[4] / n[3]), 3)];
    }

    private static double Clamp(double d, int max) => double.IsFinite(d) ? Math.Clamp(d, 0.1, max) : max / 2.0;

    private static UInt128 WordKey(int id) => (uint)(id + 1);

    private static UInt128 Pack(ReadOnlySpan<int> ids)
    {
        var key = UInt128.Zero;
        foreach (var id in ids)
        {
            key = (key << Bits) | (uint)(id + 1);
        }

        return key;
    }

    private static UInt128 Pack(List<int> ids, int start, int length) =>
        Pack(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids).Slice(start, length));

    private static UInt128 Mask(int words) => (UInt128.One << (Bits * words)) - 1;

    private static int FirstId(UInt128 key, int length) => (int)(uint)((key >> (Bits * (length - 1))) & IdMask) - 1;

    private readonly record struct ContextStats(int Total, int N1, int N2, int N3);
}

namespace Rlhf.Core.Demo;

/// <summary>
/// A simulated annotator: shown two continuations with gold scores a and b it prefers the first with
/// probability P(A ≻ B) = σ((a − b) / T). Temperature 0 always follows the gold order (a coin flip on
/// exact ties). Labels are drawn from a <see cref="Random"/> seeded once, so the same seed and the same
/// sequence of calls give the same labels.
/// </summary>
public sealed class BradleyTerryAnnotator
{
    private readonly Random _random;

    public BradleyTerryAnnotator(double temperature, int seed)
    {
        if (!(temperature >= 0) || double.IsPositiveInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Temperature must be finite and ≥ 0.");
        }

        Temperature = temperature;
        Seed = seed;
        _random = new Random(seed);
    }

    public double Temperature { get; }

    public int Seed { get; }

    /// <summary>
    /// P(A ≻ B) = σ((goldA − goldB) / T + offset); at T = 0 the first term is ±∞ (0 on ties), so only ties feel the
    /// offset. The offset is in logits: a bias (length, position) that does not scale with the noise.
    /// </summary>
    public static double PreferenceProbability(double goldA, double goldB, double temperature, double logitOffset = 0)
    {
        var diff = goldA - goldB;
        var logit = temperature == 0 || diff == 0
            ? diff > 0 ? double.PositiveInfinity : diff < 0 ? double.NegativeInfinity : 0
            : diff / temperature;
        return 1 / (1 + Math.Exp(-(logit + logitOffset)));
    }

    /// <summary>True when this annotator prefers A over B (one Bernoulli draw), with an optional bias in logits.</summary>
    public bool PrefersFirst(double goldA, double goldB, double logitOffset = 0) =>
        _random.NextDouble() < PreferenceProbability(goldA, goldB, Temperature, logitOffset);

    /// <summary>One label per pair, in order.</summary>
    public IReadOnlyList<bool> Label(IReadOnlyList<GoldPair> pairs) => pairs.Select(p => PrefersFirst(p.GoldA, p.GoldB)).ToList();
}

/// <summary>The gold scores of the two items of one comparison.</summary>
public sealed record GoldPair(double GoldA, double GoldB);

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

    /// <summary>P(A ≻ B) = σ((goldA − goldB) / T); a step function at T = 0 (½ on ties).</summary>
    public static double PreferenceProbability(double goldA, double goldB, double temperature)
    {
        var diff = goldA - goldB;
        if (temperature == 0 || diff == 0)
        {
            return diff > 0 ? 1 : diff < 0 ? 0 : 0.5;
        }

        return 1 / (1 + Math.Exp(-diff / temperature));
    }

    /// <summary>True when this annotator prefers A over B (one Bernoulli draw).</summary>
    public bool PrefersFirst(double goldA, double goldB) =>
        _random.NextDouble() < PreferenceProbability(goldA, goldB, Temperature);

    /// <summary>One label per pair, in order.</summary>
    public IReadOnlyList<bool> Label(IReadOnlyList<GoldPair> pairs) => pairs.Select(p => PrefersFirst(p.GoldA, p.GoldB)).ToList();
}

/// <summary>The gold scores of the two items of one comparison.</summary>
public sealed record GoldPair(double GoldA, double GoldB);

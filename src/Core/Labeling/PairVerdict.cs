namespace Rlhf.Core.Labeling;

/// <summary>A verdict on a pair, relative to the pair as given: the first completion wins, the second wins, or neither.</summary>
public enum PairVerdict
{
    First,
    Second,
    Tie,
}

public static class PairVerdicts
{
    /// <summary>The same verdict seen with the two completions swapped.</summary>
    public static PairVerdict Swap(this PairVerdict verdict) => verdict switch
    {
        PairVerdict.First => PairVerdict.Second,
        PairVerdict.Second => PairVerdict.First,
        _ => PairVerdict.Tie,
    };

    /// <summary>+1 first wins, −1 second wins, 0 tie.</summary>
    public static int Sign(this PairVerdict verdict) => verdict switch
    {
        PairVerdict.First => 1,
        PairVerdict.Second => -1,
        _ => 0,
    };

    public static PairVerdict FromSign(double sign) => sign > 0 ? PairVerdict.First : sign < 0 ? PairVerdict.Second : PairVerdict.Tie;
}

using Rlhf.Core.Labeling;

namespace Rlhf.Core.Tests.Labeling;

public sealed class KappaTests
{
    [Fact]
    public void CohenMatchesTheHandComputedTwoByTwoTable()
    {
        // 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
        // pₒ = 35/50 = 0.7; pₑ = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
        var a = Rows(("yes", "yes", 20), ("yes", "no", 5), ("no", "yes", 10), ("no", "no", 15));
        Assert.Equal(0.7, Kappa.PercentAgreement(a.A, a.B)!.Value, 12);
        Assert.Equal(0.4, Kappa.Cohen(a.A, a.B)!.Value, 12);
    }

    [Fact]
    public void CohenIsZeroForChanceAgreementAndUndefinedForConstantRaters()
    {
        // Independent raters, each yes half the time: pₒ = pₑ = 0.5 → κ = 0.
        var chance = Rows(("yes", "yes", 1), ("yes", "no", 1), ("no", "yes", 1), ("no", "no", 1));
        Assert.Equal(0.0, Kappa.Cohen(chance.A, chance.B)!.Value, 12);
        Assert.Null(Kappa.Cohen<string>(["x", "x"], ["x", "x"]));
        Assert.Throws<ArgumentException>(() => Kappa.Cohen<string>(["x"], ["x", "y"]));
    }

    [Fact]
    public void FleissMatchesTheLiteratureExample()
    {
        // Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories; P̄ = 0.378, P̄ₑ = 0.213, κ = 0.210.
        IReadOnlyList<int>[] table =
        [
            [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
        ];
        Assert.Equal(0.210, Kappa.Fleiss(table)!.Value, 3);
    }

    [Fact]
    public void FleissIsOneForUnanimousRatersAndSkipsSingleRatings()
    {
        IReadOnlyList<int>[] table = [[3, 0], [0, 3], [1, 0]];
        Assert.Equal(1.0, Kappa.Fleiss(table)!.Value, 12);
        Assert.Null(Kappa.Fleiss([[1, 0]]));
    }

    private static (List<string> A, List<string> B) Rows(params (string A, string B, int Count)[] cells) =>
        (cells.SelectMany(c => Enumerable.Repeat(c.A, c.Count)).ToList(), cells.SelectMany(c => Enumerable.Repeat(c.B, c.Count)).ToList());
}

namespace Rlhf.Core.Labeling;

/// <summary>Agreement of two raters (labelers, or kinds of labelers by majority) over the comparisons both judged.</summary>
public sealed record PairAgreement(string A, string B, int Shared, double? Agreement, double? CohenKappa);

/// <summary>
/// One labeler's votes: how many, how many ties, and how often it sided with the majority of the other
/// labelers of the same comparison (comparisons where the others are split or absent do not count).
/// </summary>
public sealed record LabelerStats(string Labeler, int Votes, int Ties, int MajorityComparisons, double? MajorityAgreement);

/// <summary>
/// An AI judge's position bias over the comparisons it was asked about: the share of decided (non-tie) answers
/// that picked the response shown first, and how often asking the two orders gave different verdicts.
/// An unbiased judge has a first-position share near 0.5 and few order flips.
/// </summary>
public sealed record PositionBias(string Labeler, int Answers, int Decided, int FirstPositionWins, double? FirstPositionShare, int BothOrders, int OrderFlips, double? OrderFlipRate);

/// <summary>Agreement analytics of a run's labels (see <see cref="Agreement"/>).</summary>
public sealed record AgreementReport(
    int Comparisons,
    int Votes,
    IReadOnlyList<LabelerStats> Labelers,
    IReadOnlyList<PairAgreement> LabelerPairs,
    IReadOnlyList<PairAgreement> KindPairs,
    int FleissItems,
    double? FleissKappa,
    IReadOnlyList<PositionBias> PositionBias)
{
    /// <summary>AI judge vs people (majority of each side) over shared comparisons, or null when they share none.</summary>
    public PairAgreement? JudgeHuman => Kinds("ai", "human");

    /// <summary>ROUGE-L baseline vs people, or null when they share none.</summary>
    public PairAgreement? RougeHuman => Kinds("rouge", "human");

    public PairAgreement? Kinds(string a, string b) =>
        KindPairs.FirstOrDefault(p => (p.A == a && p.B == b) || (p.A == b && p.B == a));
}

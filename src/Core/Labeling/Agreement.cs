namespace Rlhf.Core.Labeling;

/// <summary>
/// Agreement analytics over votes on pairwise comparisons (verdict categories first / second / tie): pairwise
/// percent agreement and Cohen's κ between labelers and between labeler kinds (each kind's majority per
/// comparison: judge–human, ROUGE–human, ...), Fleiss' κ over every comparison with two or more labelers,
/// per-labeler agreement with the majority of the others, and the AI judges' position bias. A labeler's
/// repeated votes on one comparison count once (the first).
/// </summary>
public static class Agreement
{
    public static AgreementReport Compute(IEnumerable<LabelVote> votes, IEnumerable<JudgeVerdict>? judgeVerdicts = null)
    {
        ArgumentNullException.ThrowIfNull(votes);
        var byComparison = votes
            .GroupBy(v => v.ComparisonId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.GroupBy(v => v.Labeler, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.First().Verdict, StringComparer.Ordinal),
                StringComparer.Ordinal);
        var labelers = byComparison.Values.SelectMany(c => c.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byKind = byComparison.ToDictionary(
            c => c.Key,
            c => c.Value.GroupBy(v => LabelVote.KindOf(v.Key), StringComparer.Ordinal).ToDictionary(k => k.Key, k => Majority(k.Select(v => v.Value)), StringComparer.Ordinal),
            StringComparer.Ordinal);
        var kinds = labelers.Select(LabelVote.KindOf).Distinct(StringComparer.Ordinal).ToList();

        var fleissRows = byComparison.Values
            .Where(c => c.Count >= 2)
            .Select(c => (IReadOnlyList<int>)[.. Enum.GetValues<PairVerdict>().Select(k => c.Values.Count(v => v == k))])
            .ToList();

        return new AgreementReport(
            byComparison.Count,
            byComparison.Values.Sum(c => c.Count),
            [.. labelers.Select(l => StatsOf(l, byComparison.Values))],
            Pairwise(labelers, byComparison.Values),
            Pairwise(kinds, byKind.Values),
            fleissRows.Count,
            Kappa.Fleiss(fleissRows),
            PositionBiasOf(judgeVerdicts ?? []));
    }

    /// <summary>Position bias per judge, from verdicts that record the per-order answers.</summary>
    public static IReadOnlyList<PositionBias> PositionBiasOf(IEnumerable<JudgeVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        return verdicts
            .Where(v => v.Forward is not null || v.Reversed is not null)
            .GroupBy(v => v.Labeler, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var answers = g.SelectMany(v => new[] { v.Forward, v.Reversed }).OfType<PairVerdict>().ToList();
                var decided = answers.Count(a => a != PairVerdict.Tie);
                var firstWins = answers.Count(a => a == PairVerdict.First);
                var both = g.Where(v => v.Forward is not null && v.Reversed is not null).ToList();
                var flips = both.Count(v => v.Forward != v.Reversed!.Value.Swap());
                return new PositionBias(g.Key, answers.Count, decided, firstWins, Share(firstWins, decided), both.Count, flips, Share(flips, both.Count));
            })
            .ToList();
    }

    /// <summary>The most frequent verdict; a tie between the top two is <see cref="PairVerdict.Tie"/>.</summary>
    public static PairVerdict Majority(IEnumerable<PairVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var counts = verdicts.CountBy(v => v).OrderByDescending(kv => kv.Value).ToList();
        return counts.Count == 0 || (counts.Count > 1 && counts[0].Value == counts[1].Value) ? PairVerdict.Tie : counts[0].Key;
    }

    private static LabelerStats StatsOf(string labeler, IEnumerable<Dictionary<string, PairVerdict>> comparisons)
    {
        var mine = comparisons.Where(c => c.ContainsKey(labeler)).ToList();
        var judged = mine
            .Where(c => c.Count > 1)
            .Select(c => (Mine: c[labeler], Others: c.Where(kv => kv.Key != labeler).Select(kv => kv.Value).ToList()))
            .Select(x => (x.Mine, Majority: Majority(x.Others), Split: IsSplit(x.Others)))
            .Where(x => !x.Split)
            .ToList();
        var agree = judged.Count(x => x.Mine == x.Majority);
        return new LabelerStats(labeler, mine.Count, mine.Count(c => c[labeler] == PairVerdict.Tie), judged.Count, Share(agree, judged.Count));
    }

    private static bool IsSplit(IReadOnlyList<PairVerdict> verdicts)
    {
        var counts = verdicts.CountBy(v => v).OrderByDescending(kv => kv.Value).ToList();
        return counts.Count > 1 && counts[0].Value == counts[1].Value;
    }

    private static List<PairAgreement> Pairwise(IReadOnlyList<string> raters, IEnumerable<Dictionary<string, PairVerdict>> comparisons)
    {
        var rows = comparisons.ToList();
        var result = new List<PairAgreement>();
        for (var i = 0; i < raters.Count; i++)
        {
            for (var j = i + 1; j < raters.Count; j++)
            {
                var (a, b) = (raters[i], raters[j]);
                var shared = rows.Where(c => c.ContainsKey(a) && c.ContainsKey(b)).ToList();
                if (shared.Count == 0)
                {
                    continue;
                }

                List<PairVerdict> va = [.. shared.Select(c => c[a])], vb = [.. shared.Select(c => c[b])];
                result.Add(new PairAgreement(a, b, shared.Count, Kappa.PercentAgreement(va, vb), Kappa.Cohen(va, vb)));
            }
        }

        return result;
    }

    private static double? Share(int part, int whole) => whole == 0 ? null : part / (double)whole;
}

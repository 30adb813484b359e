using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Labeling.Human;

/// <summary>
/// Turns several people's judgements of a batch into its labels file (<see cref="PreferenceRecord"/> lines, labeler
/// <c>human:{ids}</c>) by a Borda count: a labeler's ranking of K completions gives K-1 points to the first, K-2 to the
/// second, ... 0 to the last; tie, both-bad and skip give no points (they carry no preference). The prompt's ranking orders
/// completions by total points (equal totals by index) and every pair i &lt; j of distinct texts whose totals differ
/// becomes one record, the higher total chosen. For a pair (K = 2) this is exactly a majority vote; a split vote,
/// or a prompt nobody ranked, gives no record.
/// </summary>
public static class HumanLabelAggregator
{
    public static string LabelerName(IEnumerable<string> labelers) =>
        $"human:{string.Join(',', labelers.Order(StringComparer.Ordinal))}";

    public static IReadOnlyList<PreferenceRecord> Aggregate(
        string runId, IReadOnlyList<SampleRecord> items, IReadOnlyList<(string Labeler, IReadOnlyList<HumanJudgement> Judgements)> submissions)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(submissions);
        var labeler = LabelerName(submissions.Select(s => s.Labeler));
        var byPrompt = submissions
            .SelectMany(s => s.Judgements)
            .ToLookup(j => j.PromptId, StringComparer.Ordinal);
        var records = new List<PreferenceRecord>();
        foreach (var item in items)
        {
            var points = BordaPoints(item.Completions.Count, byPrompt[item.PromptId]);
            if (points is null)
            {
                continue;
            }

            // Borda points decide every pair, so the ranking agrees with every line by construction
            var decided = SimulatedLabeler.PairsOf(item).Where(p => points[p.I] != points[p.J]).ToList();
            var ranking = PreferenceRecord.RankingOf(points, decided.Select(p => points[p.I] > points[p.J] ? (p.I, p.J) : (p.J, p.I)));
            records.AddRange(decided.Select(p => PreferenceRecord.ForPair(runId, item, p.I, p.J, points[p.I] > points[p.J], ranking, labeler)));
        }

        return records;
    }

    /// <summary>Borda points of each of the k completions (length k), or null when nobody ranked the prompt.</summary>
    private static int[]? BordaPoints(int k, IEnumerable<HumanJudgement> judgements)
    {
        var points = new int[k];
        var ranked = false;
        foreach (var ranking in judgements.Where(j => j.Verdict == HumanVerdict.Ranked).Select(j => j.Ranking!))
        {
            for (var position = 0; position < ranking.Count; position++)
            {
                points[ranking[position]] += k - 1 - position;
            }

            ranked = true;
        }

        return ranked ? points : null;
    }
}

using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Labeling;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>Agreement of the local judge with the gold on one principle (or <c>overall</c>) over the same comparisons.</summary>
/// <param name="Comparisons">Pairs of distinct completions compared.</param>
/// <param name="Decided">Pairs where both gave a verdict other than tie (the agreement and κ are over these).</param>
public sealed record PrincipleAgreement(string Principle, int Comparisons, int Decided, double? Agreement, double? CohenKappa);

/// <summary>
/// The local constitution judge against the demo's gold, reported as RLAIF papers report AI–human agreement: for every pair
/// i &lt; j of distinct completions of a prompt, each side's verdict (first / second / tie) per principle — the judge's from
/// <see cref="LocalConstitution"/>, the gold's from <see cref="Constitution.GoldView"/> — and over all principles (the
/// judge's weighted verdict against the gold total). Percent agreement and Cohen's κ over the pairs both decided.
/// </summary>
public static class JudgeGoldAgreement
{
    public static IReadOnlyList<PrincipleAgreement> Compute(IReadOnlyList<SampleRecord> items, LocalConstitution judge, GoldScorer gold, IReadOnlyList<KeyValuePair<string, double>> principles)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(principles);
        var votes = principles.Select(p => p.Key).Append("overall").ToDictionary(p => p, _ => new List<(PairVerdict Judge, PairVerdict Gold)>(), StringComparer.Ordinal);
        foreach (var item in items)
        {
            var golds = item.Completions.Select(c => gold.Score(item.Prompt, c.Text)).ToList();
            var judged = principles.ToDictionary(p => p.Key, p => item.Completions.Select(c => judge.Score(p.Key, item.Prompt, c.Text).Score).ToList(), StringComparer.Ordinal);
            foreach (var (i, j) in SimulatedLabeler.PairsOf(item))
            {
                foreach (var (name, _) in principles)
                {
                    votes[name].Add((Sign(judged[name][i] - judged[name][j]), Sign(Constitution.GoldView(name, golds[i]) - Constitution.GoldView(name, golds[j]))));
                }

                var weighted = principles.Sum(p => p.Value * (judged[p.Key][i] - judged[p.Key][j]));
                votes["overall"].Add((Sign(weighted), Sign(golds[i].Total - golds[j].Total)));
            }
        }

        return [.. votes.Select(kv => Of(kv.Key, kv.Value))];
    }

    /// <summary>Agreement and κ over the pairs where neither side tied.</summary>
    public static PrincipleAgreement Of(string principle, IReadOnlyList<(PairVerdict Judge, PairVerdict Gold)> votes)
    {
        ArgumentNullException.ThrowIfNull(votes);
        var decided = votes.Where(v => v.Judge != PairVerdict.Tie && v.Gold != PairVerdict.Tie).ToList();
        return new PrincipleAgreement(principle, votes.Count, decided.Count,
            Kappa.PercentAgreement(decided.Select(v => v.Judge).ToList(), decided.Select(v => v.Gold).ToList()),
            Kappa.Cohen(decided.Select(v => v.Judge).ToList(), decided.Select(v => v.Gold).ToList()));
    }

    private static PairVerdict Sign(double difference) => PairVerdicts.FromSign(Math.Abs(difference) <= 1e-9 ? 0 : difference);
}

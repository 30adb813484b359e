using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;

namespace Rlhf.Bench.LearningOutcome;

/// <summary>The labeled preferences and what is known about their noise.</summary>
/// <param name="Temperature">Bradley–Terry temperature calibrated so two annotators agree <see cref="ExpectedAgreement"/> of the time.</param>
/// <param name="MeasuredAgreement">Pairwise agreement of two independent simulated annotators' rankings of the same completions.</param>
public sealed record LabelSet(IReadOnlyList<PreferenceRecord> Records, double Temperature, double ExpectedAgreement, double MeasuredAgreement);

/// <summary>
/// Simulated annotators over the gold score. Each ranks a prompt's K completions by Plackett–Luce with weights
/// exp(gold / T) (sampled with the Gumbel trick: sort by gold / T + Gumbel noise), which for K = 2 is exactly the
/// Bradley–Terry annotator σ((a − b) / T). T is calibrated with <see cref="AnnotatorCalibration"/> on all C(K,2) pairs
/// so two independent annotators are expected to agree on the target share of pairs.
/// </summary>
public static class SimulatedLabels
{
    public static LabelSet Build(IReadOnlyList<SampleRecord> samples, GoldScorer gold, double targetAgreement, int seed)
    {
        var golds = samples.Select(s => s.Completions.Select(c => gold.Score(s.Prompt, c.Text).Total).ToArray()).ToList();
        var pairs = golds.SelectMany(g => PairsOf(g.Length).Select(p => new GoldPair(g[p.A], g[p.B]))).ToList();
        var temperature = AnnotatorCalibration.CalibrateTemperature(pairs, targetAgreement);
        var first = new Random(seed);
        var second = new Random(seed + 1);
        var records = new List<PreferenceRecord>();
        var (agree, total) = (0, 0);
        for (var n = 0; n < samples.Count; n++)
        {
            var ranking = Rank(golds[n], temperature, first);
            var other = Rank(golds[n], temperature, second);
            foreach (var (a, b) in PairsOf(golds[n].Length))
            {
                agree += Prefers(ranking, a, b) == Prefers(other, a, b) ? 1 : 0;
                total++;
                var (chosen, rejected) = Prefers(ranking, a, b) ? (a, b) : (b, a);
                records.Add(new PreferenceRecord
                {
                    Id = $"{samples[n].PromptId}:{a}-{b}",
                    PromptId = samples[n].PromptId,
                    Prompt = samples[n].Prompt,
                    Chosen = samples[n].Completions[chosen].Text,
                    Rejected = samples[n].Completions[rejected].Text,
                    ChosenIndex = chosen,
                    RejectedIndex = rejected,
                    Ranking = ranking,
                    Labeler = "sim-bt-1",
                });
            }
        }

        return new LabelSet(records, temperature, AnnotatorCalibration.ExpectedAgreement(pairs, temperature), agree / (double)total);
    }

    /// <summary>Share of <paramref name="records"/> whose label agrees with the gold order (ties ½): the best accuracy any reward model can reach on them.</summary>
    public static double Ceiling(IEnumerable<PreferenceRecord> records, GoldScorer gold)
    {
        var list = records.ToList();
        var pairs = list.Select(r => new GoldPair(gold.Score(r.Prompt, r.Chosen).Total, gold.Score(r.Prompt, r.Rejected).Total)).ToList();
        return AnnotatorCalibration.CeilingAccuracy(pairs, [.. list.Select(_ => true)]);
    }

    private static List<int> Rank(double[] golds, double temperature, Random random) =>
        [.. Enumerable.Range(0, golds.Length).OrderByDescending(i => (golds[i] / temperature) - Math.Log(-Math.Log(1 - random.NextDouble())))];

    private static bool Prefers(List<int> ranking, int a, int b) => ranking.IndexOf(a) < ranking.IndexOf(b);

    private static IEnumerable<(int A, int B)> PairsOf(int k) =>
        from a in Enumerable.Range(0, k) from b in Enumerable.Range(a + 1, k - a - 1) select (a, b);
}

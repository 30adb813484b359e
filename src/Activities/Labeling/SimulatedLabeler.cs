using System.Globalization;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling;

/// <summary>
/// Simulated annotators (<see cref="BradleyTerryAnnotator"/> over the demo <see cref="GoldScorer"/>): for every
/// pair i &lt; j of a prompt's completions each of <see cref="LabelingSpec.AnnotatorsPerComparison"/> annotators
/// votes, the majority wins (ties go to the first annotator); the K-wise ranking orders completions by wins
/// (Copeland), ties by index, and is left empty for a prompt whose votes form a cycle (no ranking agrees with
/// them; the trainer rejects a line its ranking contradicts). The temperature is the spec's, or calibrated on the
/// batch's pairs so that two annotators agree <see cref="SimulatedLabelingSpec.TargetAgreement"/> of the time. The
/// annotators are seeded from (run seed, batch index), so a batch gets the same labels whenever and however often it is labeled.
/// </summary>
public sealed class SimulatedLabeler(GoldScorer scorer) : IPreferenceLabeler
{
    public LabelingMode Mode => LabelingMode.Simulated;

    public Task<LabeledBatch> LabelAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(items);
        var scored = items.Select(item => (Item: item, Gold: item.Completions.Select(c => scorer.Score(item.Prompt, c.Text).Total).ToArray())).ToList();
        var pairs = scored.SelectMany(s => PairsOf(s.Item).Select(p => new GoldPair(s.Gold[p.I], s.Gold[p.J]))).ToList();
        var temperature = Temperature(input.Labeling.Simulated, pairs);
        var annotators = Enumerable.Range(0, input.Labeling.AnnotatorsPerComparison)
            .Select(a => new BradleyTerryAnnotator(temperature, SeedOf(input.Seed, input.BatchIndex, a)))
            .ToList();

        var records = new List<PreferenceRecord>();
        var labels = new List<bool>();
        foreach (var (item, gold) in scored)
        {
            var wins = new int[item.Completions.Count];
            var votes = new List<(int I, int J, bool FirstWins)>();
            foreach (var (i, j) in PairsOf(item))
            {
                var ballots = annotators.Select(a => a.PrefersFirst(gold[i], gold[j])).ToList();
                var yes = ballots.Count(b => b);
                var firstWins = yes * 2 == ballots.Count ? ballots[0] : yes * 2 > ballots.Count;
                wins[firstWins ? i : j]++;
                votes.Add((i, j, firstWins));
                labels.Add(firstWins);
            }

            var ranking = PreferenceRecord.RankingOf(wins, votes.Select(v => v.FirstWins ? (v.I, v.J) : (v.J, v.I)));
            records.AddRange(votes.Select(v => PreferenceRecord.ForPair(input.RunId, item, v.I, v.J, v.FirstWins, ranking, LabelerName(temperature))));
        }

        var agreement = pairs.Count == 0 ? (double?)null : AnnotatorCalibration.CeilingAccuracy(pairs, labels);
        return Task.FromResult(new LabeledBatch(records, LabelerName(temperature), agreement));
    }

    /// <summary>Pairs i &lt; j of distinct completions (identical texts carry no preference).</summary>
    public static IEnumerable<(int I, int J)> PairsOf(SampleRecord item)
    {
        ArgumentNullException.ThrowIfNull(item);
        for (var i = 0; i < item.Completions.Count; i++)
        {
            for (var j = i + 1; j < item.Completions.Count; j++)
            {
                if (item.Completions[i].Text != item.Completions[j].Text)
                {
                    yield return (i, j);
                }
            }
        }
    }

    private static double Temperature(SimulatedLabelingSpec spec, IReadOnlyList<GoldPair> pairs)
    {
        if (spec.Temperature is { } fixedTemperature)
        {
            return fixedTemperature;
        }

        // T → 0 gives the most agreement these pairs allow (ties always disagree half the time).
        var ceiling = pairs.Count == 0 ? 0.5 : AnnotatorCalibration.ExpectedAgreement(pairs, 0);
        return ceiling <= spec.TargetAgreement ? 0 : AnnotatorCalibration.CalibrateTemperature(pairs, spec.TargetAgreement);
    }

    /// <summary>A fixed mix (not <see cref="HashCode"/>, which is randomised per process).</summary>
    private static int SeedOf(int runSeed, int batch, int annotator) =>
        (int)(((runSeed * 1_000_003L) + (batch * 7_919L) + annotator) & int.MaxValue);

    private static string LabelerName(double temperature) =>
        $"simulated:bt(T={temperature.ToString("G4", CultureInfo.InvariantCulture)})";
}

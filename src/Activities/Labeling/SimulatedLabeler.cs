using Rlhf.Activities.Labeling.Simulated;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling;

/// <summary>
/// Simulated annotators over the demo <see cref="GoldScorer"/>: a panel (<see cref="SimulatedPanel"/>) of
/// Bradley–Terry annotators, each with its own taste and biases (<see cref="SimulatedAnnotator"/>), votes on every pair
/// i &lt; j of a prompt's completions and the majority wins (ties go to the first annotator). The K-wise ranking orders
/// completions by wins (Copeland), ties by index, and is left empty for a prompt whose votes form a cycle (no ranking
/// agrees with them; the trainer rejects a line its ranking contradicts). Each annotator's own verdicts, with the order
/// the pair was shown in, are written to <see cref="SimulatedPanel.VotesPath"/> for agreement analytics. The panel is
/// seeded from (run seed, batch index), so a batch gets the same labels and files whenever and however often it is labeled.
/// </summary>
public sealed class SimulatedLabeler(IArtifactStore store, GoldScorer scorer) : IPreferenceLabeler
{
    public LabelingMode Mode => LabelingMode.Simulated;

    public async Task<LabeledBatch> LabelAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(items);
        var prompts = items.Select(item =>
        {
            var gold = item.Completions.Select(c => scorer.Score(item.Prompt, c.Text)).ToArray();
            return (Item: item, Pairs: PairsOf(item).Select(p => (p.I, p.J, A: gold[p.I], B: gold[p.J])).ToList());
        }).ToList();
        var comparisons = prompts.SelectMany(p => p.Pairs).ToList();
        var panel = SimulatedPanel.For(input, [.. comparisons.Select(c => (c.A, c.B))]);
        var labeler = SimulatedPanel.MajorityLabeler(input.Labeling, panel);

        var verdicts = panel.Select(_ => new List<JudgeVerdict>()).ToList();
        var labels = new List<bool>();
        var records = new List<PreferenceRecord>();
        foreach (var (item, pairs) in prompts)
        {
            var wins = new int[item.Completions.Count];
            var votes = new List<(int I, int J, bool FirstWins)>();
            foreach (var (i, j, a, b) in pairs)
            {
                var ballots = panel.Select(annotator => annotator.Judge(a, b)).ToList();
                for (var n = 0; n < panel.Count; n++)
                {
                    verdicts[n].Add(VerdictOf(item, i, j, panel[n].Labeler, ballots[n]));
                }

                var yes = ballots.Count(v => v.FirstWins);
                var firstWins = yes * 2 == ballots.Count ? ballots[0].FirstWins : yes * 2 > ballots.Count;
                wins[firstWins ? i : j]++;
                votes.Add((i, j, firstWins));
                labels.Add(firstWins);
            }

            var ranking = PreferenceRecord.RankingOf(wins, votes.Select(v => v.FirstWins ? (v.I, v.J) : (v.J, v.I)));
            records.AddRange(votes.Select(v => PreferenceRecord.ForPair(input.RunId, item, v.I, v.J, v.FirstWins, ranking, labeler)));
        }

        for (var n = 0; n < panel.Count; n++)
        {
            await store.PutAsync(SimulatedPanel.VotesPath(input.RunId, input.BatchIndex, panel[n].Profile.Name), Jsonl.Serialize(verdicts[n]), cancellationToken);
        }

        var gold = comparisons.Select(c => new GoldPair(c.A.Total, c.B.Total)).ToList();
        var agreement = gold.Count == 0 ? (double?)null : AnnotatorCalibration.CeilingAccuracy(gold, labels);
        return new LabeledBatch(records, labeler, agreement);
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

    private static JudgeVerdict VerdictOf(SampleRecord item, int i, int j, string labeler, SimulatedVote vote) =>
        JudgeVerdict.For(item, i, j, labeler, vote.Verdict) with
        {
            Forward = vote.ShownReversed ? null : vote.ByPosition,
            Reversed = vote.ShownReversed ? vote.ByPosition : null,
        };
}

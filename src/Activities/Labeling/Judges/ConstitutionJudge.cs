using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// Local, deterministic constitution judge (RLAIF without a model): each principle of the run spec scores both
/// completions with <see cref="LocalConstitution"/> (lexicons the demo's gold score does not read), gives its own
/// verdict, and the weighted sum of score differences decides; equal within 1e-9 is a tie. Labeler <c>ai:constitution</c>.
/// </summary>
public sealed class ConstitutionJudge(IArtifactStore store, LocalConstitution constitution) : PairwiseJudge(store)
{
    public const string Name = "ai:constitution";

    public override AiJudgeKind Kind => AiJudgeKind.Constitution;

    protected override string LabelerName(AiLabelingSpec spec) => Name;

    protected override Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken)
    {
        var principles = Constitution.PrinciplesOf(input.Labeling.Ai);
        var verdicts = new List<JudgeVerdict>();
        foreach (var item in items)
        {
            var scores = principles.ToDictionary(p => p.Key, p => item.Completions.Select(c => constitution.Score(p.Key, item.Prompt, c.Text).Score).ToList(), StringComparer.Ordinal);
            foreach (var (i, j) in SimulatedLabeler.PairsOf(item))
            {
                var judged = principles.Select(p => Principle(p.Key, p.Value, scores[p.Key][i], scores[p.Key][j])).ToList();
                verdicts.Add(VerdictOf(item, i, j, Name, Weighted(judged)) with { Principles = judged });
            }
        }

        return Task.FromResult<IReadOnlyList<JudgeVerdict>>(verdicts);
    }

    private static PrincipleVerdict Principle(string name, double weight, double a, double b) =>
        new(name, weight, a, b, PairVerdicts.FromSign(Math.Abs(a - b) <= 1e-9 ? 0 : a - b));
}

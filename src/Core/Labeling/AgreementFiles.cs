using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Core.Labeling;

/// <summary>
/// <see cref="Agreement"/> over stored label files: JSON Lines of <see cref="PreferenceRecord"/> (one vote per line:
/// batch labels, several labelers' files over the same samples, merged preferences) and of <see cref="JudgeVerdict"/>
/// (AI judges' side files, which add the judges' ties and position-bias answers). A comparison voted on in both a
/// judge file and a preference file by the same labeler counts once. When people's own judgement files are given,
/// they replace the <c>human:...</c> majority lines of the preference files (the same people counted twice); likewise
/// simulated annotators' own verdict files replace the <c>simulated:...</c> majority lines.
/// </summary>
public static partial class AgreementFiles
{
    private const string HumanKind = "human";
    private const string SimulatedKind = "simulated";

    /// <summary>
    /// Agreement over everything a run's labeling left under <c>runs/{runId}/labels/</c>: the labeled batches
    /// (<c>batch-NNNN.jsonl</c>), the AI judges' verdicts (<c>judge/batch-NNNN.jsonl</c>), each simulated annotator's
    /// verdicts (<c>simulated/batch-NNNN/{annotator}.jsonl</c>, read like a judge's) and each person's judgements
    /// (<c>human/batch-NNNN/{labeler}.jsonl</c>; a ranking of K completions gives a vote on each of its C(K,2) pairs,
    /// other verdicts — tie, both bad, skip — give none).
    /// </summary>
    public static async Task<AgreementReport> ForRunAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var prefix = $"{ArtifactLayout.Run(runId)}/labels/";
        var paths = new List<string>();
        await foreach (var path in store.ListAsync(prefix, cancellationToken))
        {
            paths.Add(path);
        }

        paths.Sort(StringComparer.Ordinal);
        var relative = paths.Select(p => (Path: p, Name: p[prefix.Length..])).ToList();
        var report = await ComputeAsync(
            store,
            relative.Where(p => BatchLabels().IsMatch(p.Name)).Select(p => p.Path),
            relative.Where(p => JudgeVerdicts().IsMatch(p.Name) || SimulatedVerdicts().IsMatch(p.Name)).Select(p => p.Path),
            relative.Where(p => HumanJudgements().IsMatch(p.Name)).Select(p => p.Path),
            cancellationToken);
        return report;
    }

    public static async Task<AgreementReport> ComputeAsync(
        IArtifactStore store,
        IEnumerable<string> preferencePaths,
        IEnumerable<string> judgePaths,
        IEnumerable<string>? humanPaths = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(preferencePaths);
        ArgumentNullException.ThrowIfNull(judgePaths);
        var verdicts = new List<JudgeVerdict>();
        foreach (var path in judgePaths)
        {
            verdicts.AddRange(ReadLines<JudgeVerdict>(path, await store.ReadAsync(path, cancellationToken)));
        }

        var votes = verdicts.Select(v => v.ToVote()).ToList();
        var simulatedPanel = votes.Any(v => v.Kind == SimulatedKind);
        foreach (var path in preferencePaths)
        {
            // each simulated annotator's own votes supersede the batch majority lines
            votes.AddRange(ReadLines<PreferenceRecord>(path, await store.ReadAsync(path, cancellationToken))
                .Select(LabelVote.From)
                .Where(v => !(simulatedPanel && v.Kind == SimulatedKind)));
        }

        var people = humanPaths?.ToList() ?? [];
        if (people.Count > 0)
        {
            votes.RemoveAll(v => v.Kind == HumanKind); // each person's own votes supersede the batch majority lines
        }

        foreach (var path in people)
        {
            votes.AddRange(ReadLines<HumanLine>(path, await store.ReadAsync(path, cancellationToken)).SelectMany(h => h.Votes()));
        }

        return Agreement.Compute(votes, verdicts);
    }

    [GeneratedRegex(@"^batch-\d+\.jsonl$")]
    private static partial Regex BatchLabels();

    [GeneratedRegex(@"^judge/batch-\d+\.jsonl$")]
    private static partial Regex JudgeVerdicts();

    [GeneratedRegex(@"^simulated/batch-\d+/[^/]+\.jsonl$")]
    private static partial Regex SimulatedVerdicts();

    [GeneratedRegex(@"^human/batch-\d+/[^/]+\.jsonl$")]
    private static partial Regex HumanJudgements();

    /// <summary>The fields of a person's judgement line that agreement needs.</summary>
    private sealed record HumanLine(string PromptId, string Labeler, string Verdict, IReadOnlyList<int>? Ranking)
    {
        private string Name => LabelVote.KindOf(Labeler) == HumanKind && Labeler.Contains(':', StringComparison.Ordinal) ? Labeler : $"{HumanKind}:{Labeler}";

        public IEnumerable<LabelVote> Votes()
        {
            if (!string.Equals(Verdict, "ranked", StringComparison.OrdinalIgnoreCase) || Ranking is null)
            {
                yield break;
            }

            for (var a = 0; a < Ranking.Count; a++)
            {
                for (var b = a + 1; b < Ranking.Count; b++)
                {
                    var (better, worse) = (Ranking[a], Ranking[b]);
                    yield return new LabelVote(LabelVote.ComparisonOf(PromptId, better, worse), Name, better < worse ? PairVerdict.First : PairVerdict.Second);
                }
            }
        }
    }

    private static IEnumerable<T> ReadLines<T>(string path, byte[] content) =>
        Encoding.UTF8.GetString(content)
            .Split('\n')
            .Select((line, i) => (Line: line, Number: i + 1))
            .Where(l => l.Line.Trim().Length > 0)
            .Select(l =>
            {
                try
                {
                    return JsonSerializer.Deserialize<T>(l.Line, JsonDefaults.Options)
                        ?? throw new InvalidDataException($"'{path}' line {l.Number} is null.");
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"'{path}' line {l.Number} is not a valid {typeof(T).Name}: {e.Message}", e);
                }
            });
}

using System.Collections.Concurrent;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>One line of <c>references.jsonl</c>: a prompt and the corpus's own continuation of it.</summary>
public sealed record ReferenceRecord(string Id, string Prompt, string Reference);

/// <summary>
/// Baseline labeler: prefers the completion with the higher <see cref="RougeL.F1"/> against the prompt's reference
/// continuation (<see cref="RougeJudgeSpec.References"/>, keyed by prompt id); equal F1 (within 1e-9) is a tie.
/// It measures closeness to the source text, not quality, which is what makes it a useful floor for the
/// judges' agreement with people. Labeler <c>rouge:l-f1</c>.
/// </summary>
public sealed class RougeLabeler(IArtifactStore store) : PairwiseJudge(store)
{
    public const string Name = "rouge:l-f1";

    private readonly IArtifactStore _store = store;
    private readonly ConcurrentDictionary<string, Task<IReadOnlyDictionary<string, string>>> _references = new(StringComparer.Ordinal);

    public override AiJudgeKind Kind => AiJudgeKind.Rouge;

    protected override string LabelerName(AiLabelingSpec spec) => Name;

    protected override async Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken)
    {
        var path = input.Labeling.Ai.Rouge.References;
        var references = await ReferencesAsync(path);
        var verdicts = new List<JudgeVerdict>();
        foreach (var item in items)
        {
            var reference = references.TryGetValue(item.PromptId, out var text)
                ? text
                : throw new KeyNotFoundException($"'{path}' has no reference continuation for prompt '{item.PromptId}'.");
            var f1 = item.Completions.Select(c => RougeL.F1(c.Text, reference)).ToList();
            foreach (var (i, j) in SimulatedLabeler.PairsOf(item))
            {
                PrincipleVerdict[] judged = [new("rouge-l", 1, f1[i], f1[j], PairVerdicts.FromSign(Math.Abs(f1[i] - f1[j]) <= 1e-9 ? 0 : f1[i] - f1[j]))];
                verdicts.Add(VerdictOf(item, i, j, Name, judged[0].Verdict) with { Principles = judged });
            }
        }

        return verdicts;
    }

    /// <summary>The reference set, loaded once per path; a failed load is forgotten so a retry loads again.</summary>
    private async Task<IReadOnlyDictionary<string, string>> ReferencesAsync(string path)
    {
        try
        {
            return await _references.GetOrAdd(path, p => LoadAsync(p, CancellationToken.None));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArtifactNotFoundException)
        {
            _references.TryRemove(path, out _);
            throw;
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> LoadAsync(string path, CancellationToken cancellationToken) =>
        Jsonl.Deserialize<ReferenceRecord>(path, await _store.ReadAsync(path, cancellationToken))
            .ToDictionary(r => r.Id, r => r.Reference, StringComparer.Ordinal);
}

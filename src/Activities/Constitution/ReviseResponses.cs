using Microsoft.DurableTask;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Constitution;

/// <summary>
/// The local critic's revision, rejection sampling: for each critiqued response the K continuations the policy resampled
/// after the kept text (<c>sl-cai/round-R/candidates/samples.jsonl</c>) are scored under the critiqued principle and the
/// best replaces the response if it scores higher (<see cref="SupervisedCaiSteps.Revise"/>). Every response, revised or
/// not, goes to <c>sl-cai/round-R/revisions.jsonl</c> (write-once; deterministic, so a retry writes the same bytes).
/// </summary>
public sealed class ReviseResponses(IArtifactStore store, LocalConstitution constitution) : TaskActivity<CaiReviseInput, CaiRevisions>
{
    public override async Task<CaiRevisions> RunAsync(TaskActivityContext context, CaiReviseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var critiques = await Jsonl.ReadAsync<CaiCritique>(store, input.Critiques);
        var candidates = input.Candidates is null
            ? new Dictionary<string, SampleRecord>(StringComparer.Ordinal)
            : (await Jsonl.ReadAsync<SampleRecord>(store, input.Candidates)).ToDictionary(s => s.PromptId, StringComparer.Ordinal);
        var revisions = critiques.Select(c =>
        {
            var texts = c.NeedsRevision
                ? candidates.TryGetValue(c.PromptId, out var s) ? s.Completions.Select(x => x.Text).ToList()
                    : throw new InvalidDataException($"Round {c.Round}: no resampled candidates for prompt '{c.PromptId}', which its critique sent for revision.")
                : [];
            return SupervisedCaiSteps.Revise(constitution, c, texts);
        }).ToList();
        return new CaiRevisions(await store.PutAsync(CaiLayout.Revisions(input.RunId, input.Round), Jsonl.Serialize(revisions)), revisions.Count(r => r.Revised));
    }
}

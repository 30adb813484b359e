using Microsoft.DurableTask;
using Rlhf.Activities.Labeling;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Constitution;

/// <summary>
/// The end of SL-CAI's revising: the final revisions become <c>sl-cai/pairs.jsonl</c> (one <c>{"prompt","response"}</c>
/// line per prompt, the response its final revision: what the <c>sft</c> job fine-tunes on, its loss on the responses
/// only) and <c>sl-cai/summary.json</c> (per principle: critiques, revisions, mean scores before and after; the responses'
/// mean helpful and harmless scores before and after each round), both write-once.
/// </summary>
public sealed class WriteCaiCorpus(IArtifactStore store, Labeling.Judges.LocalConstitution constitution) : TaskActivity<CaiCorpusInput, CaiCorpus>
{
    public override async Task<CaiCorpus> RunAsync(TaskActivityContext context, CaiCorpusInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var finals = await Jsonl.ReadAsync<CaiRevision>(store, input.Revisions);
        var critiques = new List<CaiCritique>();
        var revisions = new List<CaiRevision>();
        for (var round = 1; round <= input.Rounds; round++)
        {
            critiques.AddRange(Jsonl.Deserialize<CaiCritique>(CaiLayout.Critiques(input.RunId, round), await store.ReadAsync(CaiLayout.Critiques(input.RunId, round))));
            revisions.AddRange(Jsonl.Deserialize<CaiRevision>(CaiLayout.Revisions(input.RunId, round), await store.ReadAsync(CaiLayout.Revisions(input.RunId, round))));
        }

        var summary = SupervisedCaiSteps.Summarize(finals, critiques, revisions, input.Rounds) with { Trajectory = SupervisedCaiSteps.Trajectory(constitution, revisions, input.Rounds) };
        var corpus = await store.PutAsync(CaiLayout.Pairs(input.RunId), System.Text.Encoding.UTF8.GetBytes(SupervisedCaiSteps.Pairs(finals)));
        return new CaiCorpus(corpus, await store.PutJsonAsync(CaiLayout.Summary(input.RunId), summary), summary.Responses, summary.Revised);
    }
}

using Microsoft.DurableTask;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Constitution;

/// <summary>
/// One SL-CAI round's critiques. Each response gets a principle (<see cref="SupervisedCaiSteps.DrawPrinciple"/>) and a
/// critique, written to <c>sl-cai/round-R/critiques.jsonl</c>. Local critic: the responses that need revising become
/// prompts to resample from (<c>revise-prompts.jsonl</c>: prompt + the text kept before the first violation). Chat critic
/// (<see cref="AzureCaiCritic"/>): the model also writes the revision, into <c>revisions.jsonl</c>. A retry that finds the
/// round's files reuses them (a chat model is not paid twice).
/// </summary>
public sealed class CritiqueResponses(IArtifactStore store, LocalConstitution constitution, AzureCaiCritic chat) : TaskActivity<CaiRoundInput, CaiCritiques>
{
    public override async Task<CaiCritiques> RunAsync(TaskActivityContext context, CaiRoundInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (critiquesPath, revisionsPath) = (CaiLayout.Critiques(input.RunId, input.Round), CaiLayout.Revisions(input.RunId, input.Round));
        var local = input.Spec.Critic == CaiCritic.Local;
        if (await store.ExistsAsync(critiquesPath) && (local || await store.ExistsAsync(revisionsPath)))
        {
            return await ResultOfAsync(input.RunId, input.Round, local, Jsonl.Deserialize<CaiCritique>(critiquesPath, await store.ReadAsync(critiquesPath)), null);
        }

        var content = await Jsonl.ReadVerifiedAsync(store, input.Responses);
        var responses = input.Round == 1
            ? SupervisedCaiSteps.ResponsesOf(Jsonl.Deserialize<SampleRecord>(input.Responses.Path, content), null)
            : SupervisedCaiSteps.ResponsesOf(null, Jsonl.Deserialize<CaiRevision>(input.Responses.Path, content));
        var drawn = responses.Select(r => (r.PromptId, r.Prompt, r.Response, Principle: SupervisedCaiSteps.DrawPrinciple(input.Spec.Principles, input.Seed, r.PromptId, input.Round))).ToList();
        if (local)
        {
            var critiques = drawn.Select(r => SupervisedCaiSteps.Critique(constitution, r.PromptId, r.Prompt, r.Response, input.Round, r.Principle)).ToList();
            return await ResultOfAsync(input.RunId, input.Round, local, critiques, null);
        }

        var pairs = await chat.CritiqueAndReviseAsync(input.Spec.AzureOpenAi, drawn, input.Round);
        return await ResultOfAsync(input.RunId, input.Round, local, [.. pairs.Select(p => p.Critique)], [.. pairs.Select(p => p.Revision)]);
    }

    private async Task<CaiCritiques> ResultOfAsync(string runId, int round, bool local, IReadOnlyList<CaiCritique> critiques, IReadOnlyList<CaiRevision>? revisions)
    {
        var written = await store.PutAsync(CaiLayout.Critiques(runId, round), Jsonl.Serialize(critiques));
        var toRevise = critiques.Where(c => c.NeedsRevision).ToList();
        if (!local)
        {
            var path = CaiLayout.Revisions(runId, round);
            var revised = revisions is null ? await store.ReadAsync(path) : Jsonl.Serialize(revisions);
            return new CaiCritiques(written, toRevise.Count, null, await store.PutAsync(path, revised));
        }

        var prompts = toRevise.Select(c => new DemoPrompt(c.PromptId, c.Prompt + c.Keep)).ToList();
        return new CaiCritiques(written, toRevise.Count, prompts.Count == 0 ? null : await store.PutAsync(CaiLayout.RevisePrompts(runId, round), Jsonl.Serialize(prompts)), null);
    }
}

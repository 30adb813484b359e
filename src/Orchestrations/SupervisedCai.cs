using System.Text.Json.Nodes;
using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations;

/// <summary>
/// Constitutional AI's supervised stage (SL-CAI), a sub-orchestration of <see cref="RlhfRun"/> (<c>{runId}:sl-cai</c>):
/// prompts (<c>PrepareCaiPrompts</c>) → one response per prompt (a <c>sample</c> job) → up to N rounds of critique
/// against a drawn principle (<c>CritiqueResponses</c>) and revision (local critic: resample K continuations after the kept
/// text, a <c>sample</c> job, then keep the best under the principle, <c>ReviseResponses</c>; chat critic: the model
/// revises) → pairs of (prompt, final revision) (<c>WriteCaiCorpus</c>) → fine-tune the policy on it (an <c>sft</c> job).
/// Jobs run through <see cref="RunTrainingJob"/> (<c>{instanceId}:{step}</c>), or take an earlier run's identical step (<see cref="ReusableJob"/>);
/// only references travel through history.
/// </summary>
public sealed class SupervisedCai : TaskOrchestrator<SupervisedCaiInput, SupervisedCaiResult>
{
    public override async Task<SupervisedCaiResult> RunAsync(TaskOrchestrationContext context, SupervisedCaiInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var (runId, spec) = (input.RunId, input.Spec);
        var cai = spec.Constitution.Supervised ?? throw new InvalidOperationException("constitution.supervised is not set.");
        var policy = JobPolicy.From(spec.Compute);
        var artifacts = new List<ArtifactRef>();
        var stage = PipelineStages.Name(PipelineStage.SupervisedCai);
        var steps = 2 + (2 * cai.Rounds);

        async Task<TrainingJobResult> JobAsync(JobSpec job, string step)
        {
            var (result, _) = await ReusableJob.RunAsync(context, runId, job, policy, $"{context.InstanceId}:{step.Replace('/', '-')}", input.Reuse);
            artifacts.Add(result.Manifest);
            return result;
        }

        void Progress(int done, string message) => context.SetCustomStatus(new RunStatus(stage, done, steps) { Message = message });

        var prompts = await context.CallActivityAsync<CaiPrompts>(TaskNames.PrepareCaiPrompts,
            new CaiPromptsInput(runId, cai.Prompts ?? spec.Datasets.TrainPrompts, cai.RedTeamPrompts, cai.PromptLimit), RetryPolicies.Activity);
        artifacts.Add(prompts.Prompts);
        Progress(0, $"{prompts.Count} prompts: sampling responses");
        var sampled = await JobAsync(Sample(runId, input.Store, spec, input.Policy, prompts.Prompts.Path, StepNames.SupervisedCaiResponses, k: 1, seed: spec.Seed), StepNames.SupervisedCaiResponses);
        var responses = SamplesOf(sampled);
        var round = 0;
        while (round < cai.Rounds)
        {
            round++;
            Progress(2 * round - 1, $"round {round}: critiques");
            var critiques = await context.CallActivityAsync<CaiCritiques>(TaskNames.CritiqueResponses,
                new CaiRoundInput(runId, round, responses, cai, spec.Seed), RetryPolicies.Activity);
            artifacts.Add(critiques.Critiques);
            if (critiques.Revisions is { } revised)
            {
                responses = revised;
            }
            else
            {
                Progress(2 * round, $"round {round}: revising {critiques.ToRevise} response(s)");
                var candidates = critiques.RevisePrompts is { } revisePrompts
                    ? SamplesOf(await JobAsync(Sample(runId, input.Store, spec, input.Policy, revisePrompts.Path, StepNames.SupervisedCaiCandidates(round), cai.Candidates, spec.Seed + round), StepNames.SupervisedCaiCandidates(round)))
                    : null;
                responses = (await context.CallActivityAsync<CaiRevisions>(TaskNames.ReviseResponses,
                    new CaiReviseInput(runId, round, critiques.Critiques, candidates), RetryPolicies.Activity)).Revisions;
            }

            artifacts.Add(responses);
            if (critiques.ToRevise == 0)
            {
                break;
            }
        }

        var corpus = await context.CallActivityAsync<CaiCorpus>(TaskNames.WriteCaiCorpus, new CaiCorpusInput(runId, responses, round), RetryPolicies.Activity);
        artifacts.AddRange([corpus.Corpus, corpus.Summary]);
        Progress(steps - 1, $"{corpus.Revised} of {corpus.Responses} responses revised in {round} round(s): fine-tuning");
        var sft = await JobAsync(Sft(runId, input.Store, spec, input.Policy, corpus.Corpus.Path), StepNames.SupervisedCaiSft);
        return new SupervisedCaiResult(ArtifactLayout.Model(sft.Output), corpus.Corpus, corpus.Summary, corpus.Responses, corpus.Revised, round, artifacts);
    }

    /// <summary>The <c>sample</c> job of an SL-CAI step: K completions per prompt with the run's sampling settings and <paramref name="seed"/>.</summary>
    public static JobSpec Sample(string runId, string store, RunSpec spec, string policy, string prompts, string step, int k, int seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var s = spec.Sampling;
        var parameters = new JsonObject
        {
            ["k"] = k,
            ["maxNewTokens"] = s.MaxNewTokens,
            ["temperature"] = s.Temperature,
            ["topK"] = s.TopK,
            ["topP"] = s.TopP,
            ["seed"] = seed,
        };
        return JobSpecs.For(runId, store, spec, JobVerbs.Sample, step, new Dictionary<string, string> { [JobInputs.Policy] = policy, [JobInputs.Prompts] = prompts }, parameters);
    }

    /// <summary>The <c>sft</c> job that fine-tunes <paramref name="policy"/> on the revision pairs (loss on the revisions only) with <c>constitution.supervised.sft</c>.</summary>
    public static JobSpec Sft(string runId, string store, RunSpec spec, string policy, string pairs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parameters = (JsonObject)(spec.Constitution.Supervised?.Sft ?? new SupervisedCaiSpec().Sft).DeepClone();
        return JobSpecs.For(runId, store, spec, JobVerbs.Sft, StepNames.SupervisedCaiSft,
            new Dictionary<string, string> { [JobInputs.Pairs] = pairs, [JobInputs.Policy] = policy }, parameters);
    }

    private static ArtifactRef SamplesOf(TrainingJobResult job) =>
        job.Outputs.FirstOrDefault(o => o.Path == ArtifactLayout.Samples(job.Output))
        ?? throw new InvalidOperationException($"Sample job '{job.JobId}' finished without listing {ArtifactLayout.Samples(job.Output)} in its manifest.");
}

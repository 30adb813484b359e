using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rlhf.Activities;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>
/// The checks of a structurally valid run spec that need the host: the host can run its jobs (the runner of
/// <c>compute.runner</c> says: the local one needs the trainer installed, the Azure ML one the host's Azure ML settings, against
/// which the spec's <c>compute.azureml</c> must resolve), the judge deployment is one the host configured, and
/// every dataset, model folder and document the run will read exists in the store. Run at submission, so a run never
/// starts only to fail hours later on a missing file; each error names the spec field.
/// </summary>
public static class SubmissionChecks
{
    public static async Task<IReadOnlyList<ApiError>> FindErrorsAsync(HttpRequest request, RunSpec spec, IArtifactStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(store);
        var errors = new List<ApiError>();
        var runner = request.HttpContext.RequestServices?.GetServices<IJobRunnerOfKind>().FirstOrDefault(r => r.Kind == spec.Compute.Runner);
        errors.AddRange((runner?.FindErrors(spec) ?? []).Select(e => new ApiError(e.Path, e.Message)));
        var labeling = request.HttpContext.RequestServices?.GetService<IOptions<LabelingOptions>>()?.Value ?? new LabelingOptions();
        if (JudgeDeploymentRules.CheckSpec(spec, labeling) is { } judge)
        {
            errors.Add(new ApiError(judge.Path, judge.Message));
        }

        if (JudgeDeploymentRules.CheckCriticSpec(spec, labeling) is { } critic)
        {
            errors.Add(new ApiError(critic.Path, critic.Message));
        }

        foreach (var (path, name, folder) in Inputs(spec))
        {
            var exists = folder ? await HasAnyAsync(store, $"{name.TrimEnd('/')}/", cancellationToken) : await store.ExistsAsync(name, cancellationToken);
            if (!exists)
            {
                errors.Add(new ApiError(path, $"'{name}' does not exist in the artifact store{(folder ? " (no files under that folder)" : "")}."));
            }
        }

        return errors;
    }

    /// <summary>(JSON path, store path, is a folder) of everything the run reads from the store.</summary>
    private static IEnumerable<(string Path, string Name, bool Folder)> Inputs(RunSpec spec)
    {
        if (spec.BasePolicy.Source == BasePolicySource.Train && spec.Datasets.Corpus is { } corpus)
        {
            yield return ("$.datasets.corpus", corpus, false);
        }

        if (spec.BasePolicy.Source == BasePolicySource.Checkpoint && spec.BasePolicy.Checkpoint is { } checkpoint)
        {
            yield return ("$.basePolicy.checkpoint", checkpoint, true);
        }

        yield return ("$.datasets.trainPrompts", spec.Datasets.TrainPrompts, false);
        yield return ("$.datasets.heldOutPrompts", spec.Datasets.HeldOutPrompts, false);
        if (spec.Evaluation.Prompts is { } prompts)
        {
            yield return ("$.evaluation.prompts", prompts, false);
        }

        if (spec.Datasets.Lexicons is { } lexicons)
        {
            yield return ("$.datasets.lexicons", lexicons, true);
        }

        if (spec.Datasets.References is { } references)
        {
            yield return ("$.datasets.references", references, false);
        }

        if (spec.Labeling.Ai.Constitution is { } constitution)
        {
            yield return ("$.labeling.ai.constitution", constitution, false);
        }

        if (spec.Constitution.Supervised is { } cai)
        {
            yield return (cai.Prompts is null ? "$.datasets.trainPrompts" : "$.constitution.supervised.prompts", cai.Prompts ?? spec.Datasets.TrainPrompts, false);
            if (cai.RedTeamPrompts is { } redTeam)
            {
                yield return ("$.constitution.supervised.redTeamPrompts", redTeam, false);
            }
        }

        if (spec.Labeling.Ai.Judge == AiJudgeKind.Rouge)
        {
            yield return ("$.labeling.ai.rouge.references", spec.Labeling.Ai.Rouge.References, false);
        }
    }

    private static async Task<bool> HasAnyAsync(IArtifactStore store, string prefix, CancellationToken cancellationToken)
    {
        await foreach (var _ in store.ListAsync(prefix, cancellationToken))
        {
            return true;
        }

        return false;
    }
}

using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Activities.Reuse;

/// <summary>
/// Before a trainer job starts: its reuse key (<see cref="ReuseKeys.ForJobAsync"/>) and, when the stage looks up and an earlier
/// run completed a step under the same key, that step (claimed through <see cref="ReuseIndex.ClaimAsync"/>). The lookup is an
/// activity, so the orchestration replays its answer instead of looking again.
/// </summary>
public sealed class FindReusableStep(IArtifactStore store, ILogger<FindReusableStep> logger) : TaskActivity<FindReusableStepInput, StepReuseLookup>
{
    public override async Task<StepReuseLookup> RunAsync(TaskActivityContext context, FindReusableStepInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var key = await ReuseKeys.ForJobAsync(store, input.Job, ReuseKeys.TrainerCode);
        if (key is null || !input.Options.Lookup)
        {
            return new StepReuseLookup(key);
        }

        var step = StepOf(input.RunId, input.Job.Output);
        var entry = await new ReuseIndex(store).ClaimAsync(key, input.RunId, step, input.Options.PreferRun);
        if (entry is null)
        {
            return new StepReuseLookup(key);
        }

        logger.LogInformation("Run {RunId} reuses step {Step} of run {FromRun} (key {Key})", input.RunId, step, entry.RunId, key);
        return new StepReuseLookup(key) { Hit = new ReusedStep(entry.RunId, entry.ResultAs<TrainingJobResult>()) };
    }

    /// <summary>The step folder of an output prefix <c>runs/{runId}/{step}</c>.</summary>
    public static string StepOf(string runId, string output)
    {
        var prefix = $"{ArtifactLayout.Run(runId)}/";
        var trimmed = output.TrimEnd('/');
        return trimmed.StartsWith(prefix, StringComparison.Ordinal) ? trimmed[prefix.Length..] : trimmed;
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Json;
using Rlhf.Core.Labeling;

namespace Rlhf.Api;

/// <summary>
/// <c>GET /api/runs/{id}/agreement</c>: the run's <see cref="AgreementReport"/> over everything its labeling left under
/// <c>runs/{id}/labels/</c> (batch labels, AI judges' verdicts, simulated annotators' and people's own votes), computed on
/// request. 404 for an unknown run; an empty report (0 comparisons) before anything is labeled.
/// </summary>
public static class RunAgreementApi
{
    public static async Task<IResult> GetAsync(string runId, DurableTaskClient client, IArtifactStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (RunIds.FindError(runId) is not null
            || await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken) is not { } metadata
            || !RunStatusReader.IsRun(metadata))
        {
            return ApiProblem.NotFound($"There is no run with id '{runId}'.");
        }

        try
        {
            return Results.Json(await AgreementFiles.ForRunAsync(store, runId, cancellationToken), JsonDefaults.Options);
        }
        catch (InvalidDataException ex)
        {
            return new ApiProblem("https://httpstatuses.io/500", "Unreadable label files", StatusCodes.Status500InternalServerError, ex.Message).ToResult();
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Reuse;
using Rlhf.Api.Report;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>
/// The run endpoints as plain handlers (request + client + services → <see cref="IResult"/>), so the local
/// host maps them as minimal-API routes and the Function App wraps them in <c>[HttpTrigger]</c> functions.
/// No failure path creates an orchestration instance or an artifact.
/// </summary>
public static class RunsApi
{
    /// <summary>How many <c>-2</c>, <c>-3</c>… suffixes a generated run id may try before giving up.</summary>
    private const int MaxGeneratedIdAttempts = 20;

    /// <summary><c>POST /api/runs[?runId=][&amp;reuse=false]</c>: validate the spec, start <c>RlhfRun</c>, answer 202 with the management URLs.</summary>
    public static async Task<IResult> StartAsync(
        HttpRequest request, DurableTaskClient client, IArtifactStore store, RlhfApiOptions options, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (requestedId, idProblem) = RequestedId(request);
        if (idProblem is not null)
        {
            return idProblem;
        }

        bool? reuse = null;
        if (request.Query.TryGetValue("reuse", out var reuseText))
        {
            if (!bool.TryParse(reuseText.ToString(), out var parsed))
            {
                return ApiProblem.BadRequest("Invalid query", [new ApiError("?reuse", $"'{reuseText}' is not true or false.")]);
            }

            reuse = parsed;
        }

        var (node, problem) = await JsonBodyReader.ReadAsync(request, options.MaxSpecBytes, cancellationToken);
        return problem ?? await SubmitAsync(
            request, node, requestedId, spec => new ReusePolicy { Enabled = spec.Reuse && reuse != false }, client, store, clock, cancellationToken);
    }

    /// <summary>The <c>?runId=</c> a caller asked for (null: generate one), or the 400 that says why it cannot be had.</summary>
    internal static (string? Id, IResult? Problem) RequestedId(HttpRequest request)
    {
        string? requestedId = request.Query["runId"];
        if (requestedId is not null && RunIds.FindError(requestedId) is { } idError)
        {
            return (null, ApiProblem.BadRequest("Invalid run id", [new ApiError("?runId", idError)]));
        }

        return requestedId?.StartsWith(NightlyRuns.IdPrefix, StringComparison.OrdinalIgnoreCase) == true
            ? (null, ApiProblem.BadRequest("Invalid run id", [new ApiError("?runId", $"Ids starting with '{NightlyRuns.IdPrefix}' are reserved for the nightly schedule.")]))
            : (requestedId, null);
    }

    /// <summary>
    /// Validates a run spec document (the validator, the trainer parameter binders, the host's checks), picks the run id and
    /// starts <c>RlhfRun</c> with the reuse policy <paramref name="reuse"/> makes of the spec: what <c>POST /api/runs</c> and a
    /// rerun share. Nothing is created on any failure.
    /// </summary>
    internal static async Task<IResult> SubmitAsync(
        HttpRequest request, JsonNode? node, string? requestedId, Func<RunSpec, ReusePolicy> reuse,
        DurableTaskClient client, IArtifactStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = RunSpecValidator.Validate(node);
        if (errors.Count > 0)
        {
            return ApiProblem.BadRequest("Invalid run spec", errors.Select(e => new ApiError(e.Path, e.Message)).ToList());
        }

        RunSpec spec;
        try
        {
            spec = node.Deserialize<RunSpec>(JsonDefaults.Options)!;
        }
        catch (JsonException e)
        {
            // The validator mirrors the reader; should they ever disagree, the caller still gets a 400 naming the field.
            return ApiProblem.BadRequest("Invalid run spec", [new ApiError(e.Path ?? "$", "The value cannot be read as the field's type.")]);
        }

        var paramErrors = TrainerParamsSubmission.FindErrors(spec);
        if (paramErrors.Count > 0)
        {
            return ApiProblem.BadRequest("Invalid trainer parameters", paramErrors);
        }

        var hostErrors = await SubmissionChecks.FindErrorsAsync(request, spec, store, cancellationToken);
        if (hostErrors.Count > 0)
        {
            return ApiProblem.BadRequest("Invalid run spec", hostErrors);
        }
        string runId;
        if (requestedId is not null)
        {
            if (await IsTakenAsync(requestedId, client, store, cancellationToken))
            {
                return ApiProblem.Conflict($"A run with id '{requestedId}' already exists (or left artifacts under {RunIds.ArtifactPrefix(requestedId)}); purge it or pick another id.");
            }

            runId = requestedId;
        }
        else
        {
            var free = await FindFreeIdAsync(spec, client, store, clock.GetUtcNow(), cancellationToken);
            if (free is null)
            {
                return ApiProblem.Conflict($"Could not find a free run id for '{spec.Name}'; pass ?runId=.");
            }

            runId = free;
        }

        // a purged run's tombstone (docs/jobs.md) kept its late jobs out; the id now belongs to this run
        await RunJobs.ReleaseIdAsync(store, runId, cancellationToken);
        try
        {
            var start = new StartOrchestrationOptions(runId).WithDedupeStatuses(Enum.GetValues<OrchestrationRuntimeStatus>());
            await client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RlhfRun, new RlhfRunInput(runId, spec, store.Location) { Reuse = reuse(spec) }, start, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Lost a race with another start of the same id: the other one owns the instance.
            if (await client.GetInstanceAsync(runId, cancellationToken) is not null)
            {
                return ApiProblem.Conflict($"A run with id '{runId}' already exists.");
            }

            throw;
        }

        var links = RunLinks.For(request, runId);
        request.HttpContext.Response.Headers.Location = links.StatusQueryGetUri;
        return Results.Json(links, JsonDefaults.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary><c>GET /api/runs?status=Running,Failed&amp;prefix=&amp;createdFrom=&amp;createdTo=&amp;pageSize=&amp;continuationToken=</c>.</summary>
    public static async Task<IResult> ListAsync(
        HttpRequest request, DurableTaskClient client, RlhfApiOptions options, CancellationToken cancellationToken = default)
    {
        var (query, errors) = RunListQuery.Parse(request.Query, options);
        if (errors.Count > 0)
        {
            return ApiProblem.BadRequest("Invalid query", errors);
        }

        var page = await client.GetAllInstancesAsync(query)
            .AsPages(query.ContinuationToken, query.PageSize)
            .FirstOrDefaultAsync(cancellationToken);
        var next = page?.ContinuationToken is { } token ? ContinuationTokens.Wrap(token) : null;
        var runs = (page?.Values ?? [])
            .Where(RunStatusReader.IsRun)
            .Select(m => RunStatusReader.ToSummary(request, m))
            .ToList();
        return Results.Json(new RunPage(runs, next), JsonDefaults.Options);
    }

    /// <summary><c>GET /api/runs/{id}</c>: status, each stage's live progress (<see cref="StageProgress"/>), metrics and artifacts.</summary>
    public static async Task<IResult> GetAsync(
        HttpRequest request, string runId, DurableTaskClient client, IArtifactStore store, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var metadata = await FindRunAsync(runId, client, cancellationToken);
        if (metadata is null)
        {
            return UnknownRun(runId);
        }

        var detail = await RunStatusReader.ToLiveDetailAsync(request, metadata, store, client, clock.GetUtcNow(), cancellationToken);
        return Results.Json(detail with { WakeUps = await EngineWakeUps.ReadAsync(store, runId, cancellationToken) }, JsonDefaults.Options);
    }

    /// <summary><c>POST /api/runs/{id}/cancel</c>: terminate the run and its running child orchestrations; 409 when it already ended.</summary>
    public static async Task<IResult> CancelAsync(
        HttpRequest request, string runId, DurableTaskClient client, IArtifactStore store, IJobRunner runner, CancellationToken cancellationToken = default)
    {
        var metadata = await FindRunAsync(runId, client, cancellationToken);
        if (metadata is null)
        {
            return UnknownRun(runId);
        }

        if (RunStatusReader.IsFinished(metadata.RuntimeStatus))
        {
            return ApiProblem.Conflict($"Run '{runId}' already ended ({metadata.RuntimeStatus}); there is nothing to cancel.");
        }

        // The sidecar terminates one instance at a time, so children are found by their id prefix.
        var children = await ListChildrenAsync(runId, client, [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended], cancellationToken);
        foreach (var child in children)
        {
            await client.TerminateInstanceAsync(child, "Parent run canceled", cancellationToken);
        }

        await client.TerminateInstanceAsync(runId, "Canceled by user", cancellationToken);
        // Terminating an orchestration leaves the trainer jobs it started running; stop them (on whichever host runs them).
        await RunJobs.CancelUnfinishedAsync(store, runner, runId, cancellationToken);
        return Results.Json(RunLinks.For(request, runId), JsonDefaults.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary><c>DELETE /api/runs/{id}</c>: purge the run's history, its child orchestrations, its artifacts and its trainer job folders; 409 while it runs.</summary>
    public static async Task<IResult> PurgeAsync(string runId, DurableTaskClient client, IArtifactStore store, CancellationToken cancellationToken = default)
    {
        var metadata = await FindRunAsync(runId, client, cancellationToken);
        if (metadata is null)
        {
            return UnknownRun(runId);
        }

        if (!RunStatusReader.IsFinished(metadata.RuntimeStatus))
        {
            return ApiProblem.Conflict($"Run '{runId}' is {metadata.RuntimeStatus}; cancel it before purging.");
        }

        // Steps another run reuses are that run's steps too (docs/reuse.md): withdraw the run's steps from reuse first, so no new
        // run can claim one, then refuse while any run that claimed one still exists, offering them again.
        var reuse = new ReuseIndex(store);
        var withdrawn = await reuse.WithdrawAsync(runId, cancellationToken);
        var users = new List<string>();
        foreach (var user in await reuse.ReferrersAsync(runId, cancellationToken))
        {
            if (await IsTakenAsync(user, client, store, cancellationToken))
            {
                users.Add(user);
            }
        }

        if (users.Count > 0)
        {
            await reuse.RestoreAsync(withdrawn, cancellationToken);
            return ApiProblem.Conflict(
                $"Run '{runId}' cannot be purged: run(s) {string.Join(", ", users.Select(u => $"'{u}'"))} reuse its steps. Purge them first (see docs/reuse.md).");
        }

        await reuse.ForgetAsync(runId, cancellationToken);

        var instances = 0;
        foreach (var child in await ListChildrenAsync(runId, client, statuses: null, cancellationToken))
        {
            instances += (await client.PurgeInstanceAsync(child, cancellationToken)).PurgedInstanceCount;
        }

        instances += (await client.PurgeInstanceAsync(runId, cancellationToken)).PurgedInstanceCount;
        var artifacts = await store.DeletePrefixAsync(RunIds.ArtifactPrefix(runId), cancellationToken)
            + await RunJobs.DeleteAsync(store, runId, cancellationToken);
        return Results.Json(new PurgeOutcome(runId, instances, artifacts), JsonDefaults.Options);
    }

    /// <summary>
    /// <c>GET /api/runs/{id}/report</c>: the HTML run report (status, plots, evaluation, samples, artifacts). The artifact
    /// store comes from the request's services, registered by both hosts, so the handler keeps the shape of its callers.
    /// </summary>
    public static async Task<IResult> ReportAsync(HttpRequest request, string runId, DurableTaskClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = await FindRunAsync(runId, client, cancellationToken);
        if (metadata is null)
        {
            return UnknownRun(runId);
        }

        var services = request.HttpContext.RequestServices;
        var store = services.GetRequiredService<IArtifactStore>();
        var now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var detail = await RunStatusReader.ToLiveDetailAsync(request, metadata, store, client, now, cancellationToken);
        var html = await RunReportPage.RenderAsync(detail, metadata.SerializedInput, store, cancellationToken);
        return SecurityHeaders.Html(html, SecurityHeaders.ReportPolicy);
    }

    /// <summary><c>GET /api/runs/{id}/artifacts/{**path}</c>: download one artifact of the run (paths relative to <c>runs/{id}/</c>).</summary>
    public static async Task<IResult> ArtifactAsync(string runId, string path, IArtifactStore store, CancellationToken cancellationToken = default)
    {
        var full = $"{RunIds.ArtifactPrefix(runId)}{path}";
        if (RunIds.FindError(runId) is not null || !ArtifactPath.IsValid(full))
        {
            return ApiProblem.BadRequest("Invalid artifact path", [new ApiError("path", $"'{path}' is not a valid artifact path.")]);
        }

        try
        {
            var bytes = await store.ReadAsync(full, cancellationToken);
            return SecurityHeaders.Artifact(Results.File(bytes, ContentTypeFor(full), Path.GetFileName(full)));
        }
        catch (ArtifactNotFoundException)
        {
            return ApiProblem.NotFound($"Run '{runId}' has no artifact '{path}'.");
        }
    }

    internal static async Task<OrchestrationMetadata?> FindRunAsync(string runId, DurableTaskClient client, CancellationToken cancellationToken) =>
        RunIds.FindError(runId) is null && await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken) is { } metadata
            && RunStatusReader.IsRun(metadata)
            ? metadata
            : null;

    internal static IResult UnknownRun(string runId) => ApiProblem.NotFound($"There is no run with id '{runId}'.");

    internal static async Task<bool> IsTakenAsync(string runId, DurableTaskClient client, IArtifactStore store, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(runId, cancellationToken) is not null)
        {
            return true;
        }

        await foreach (var _ in store.ListAsync(RunIds.ArtifactPrefix(runId), cancellationToken))
        {
            return true;
        }

        return false;
    }

    private static async Task<string?> FindFreeIdAsync(RunSpec spec, DurableTaskClient client, IArtifactStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxGeneratedIdAttempts; attempt++)
        {
            var candidate = RunIds.Create(spec.Name, spec.Seed, now, attempt);
            if (!await IsTakenAsync(candidate, client, store, cancellationToken))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task<List<string>> ListChildrenAsync(
        string runId, DurableTaskClient client, IReadOnlyList<OrchestrationRuntimeStatus>? statuses, CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery { InstanceIdPrefix = RunIds.ChildPrefix(runId), Statuses = statuses, PageSize = 100 };
        var ids = new List<string>();
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            ids.Add(instance.InstanceId);
        }

        return ids;
    }

    private static string ContentTypeFor(string path) => Path.GetExtension(path) switch
    {
        ".json" => "application/json",
        ".jsonl" => "application/x-ndjson",
        ".html" => "text/html",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".txt" or ".log" => "text/plain",
        _ => "application/octet-stream",
    };
}

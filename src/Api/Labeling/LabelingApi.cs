using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations;

namespace Rlhf.Api.Labeling;

/// <summary>Body of <c>POST /api/runs/{id}/label-links</c>: who gets links, for which batches (null: every pending human batch), for how long (null: the default).</summary>
public sealed record LabelLinksRequest(IReadOnlyList<string> Labelers, IReadOnlyList<int>? Batches = null, int? TtlMinutes = null);

/// <summary>A labeling link: one labeler, one batch.</summary>
public sealed record LabelLink(string Labeler, int BatchIndex, string Url, DateTimeOffset ExpiresAt);

public sealed record LabelLinks(string RunId, IReadOnlyList<LabelLink> Links);

/// <summary>One comparison as the page shows it.</summary>
public sealed record LabelComparisonView(string Id, string Prompt, IReadOnlyList<string> Completions);

/// <summary>What <c>GET /api/label/batch</c> returns: the batch a link opens and whether this labeler already answered it.</summary>
public sealed record LabelBatchView(string RunId, int BatchIndex, string Labeler, DateTimeOffset ExpiresAt, bool Submitted, bool Closed, IReadOnlyList<LabelComparisonView> Comparisons)
{
    /// <summary>The principles people judge by when mode mixed routes by principle (the AI judges the others); empty: overall quality.</summary>
    public IReadOnlyList<LabelCriterion> Criteria { get; init; } = [];
}

/// <summary>A principle of the constitution as the labeling page states it.</summary>
public sealed record LabelCriterion(string Name, string Description);

/// <summary>The answer to a submission: stored or a replay, and where the batch stands.</summary>
public sealed record LabelSubmissionResult(bool Stored, bool Duplicate, int Submissions, int Required, bool Signalled);

/// <summary>
/// The human labeling endpoints as plain handlers (request + services → <see cref="IResult"/>), mapped by
/// <see cref="LabelingEndpoints.MapRlhfLabeling"/> in the local host and wrapped by HTTP triggers in the Function App.
/// Every refusal happens before anything is written.
/// </summary>
public static class LabelingApi
{
    /// <summary><c>GET /api/label?token=</c>: the labeling page (the token is read by its script).</summary>
    public static IResult Page() => SecurityHeaders.Html(LabelPage.Html, PagePolicy);

    private static readonly string PagePolicy = SecurityHeaders.PagePolicy(LabelPage.Html);

    /// <summary><c>POST /api/runs/{id}/label-links</c> <c>{ labelers: [..], batches?: [..] (default: every pending human batch), ttlMinutes? }</c>.</summary>
    public static async Task<IResult> LinksAsync(HttpRequest request, string runId, DurableTaskClient client, HumanLabeling labeling, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(labeling);
        var (body, problem) = await JsonBodyReader.ReadAsync(request, labeling.Options.MaxSubmissionBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (RunIds.FindError(runId) is not null)
        {
            // '{run}:labels' and the like name a run's child orchestration, never a run.
            return ApiProblem.NotFound($"There is no run '{runId}'.");
        }

        if (body is not JsonObject root)
        {
            return ApiProblem.BadRequest("Invalid label-links request", [new ApiError("$", "Send an object: { \"labelers\": [...], \"batches\"?: [...], \"ttlMinutes\"?: n }.")]);
        }

        var errors = new List<ApiError>();
        foreach (var (key, _) in root)
        {
            if (key is not ("labelers" or "batches" or "ttlMinutes"))
            {
                errors.Add(new ApiError($"$['{(key.Length > 64 ? key[..64] + "..." : key)}']", "Unknown field; known: labelers, batches, ttlMinutes."));
            }
        }

        var labelers = Strings(root["labelers"]);
        if (labelers is null || labelers.Count == 0)
        {
            errors.Add(new ApiError("$.labelers", "Name at least one labeler."));
        }

        foreach (var (labeler, i) in (labelers ?? []).Select((l, i) => (l, i)))
        {
            if (LabelTokens.FindLabelerError(labeler) is { } error)
            {
                errors.Add(new ApiError($"$.labelers[{i}]", error));
            }
        }

        var ttlMinutes = labeling.Options.DefaultTtlMinutes;
        if (root["ttlMinutes"] is { } ttlNode && (ttlNode is not JsonValue v || !v.TryGetValue(out ttlMinutes) || ttlMinutes < 1 || ttlMinutes > labeling.Options.MaxTtlMinutes))
        {
            errors.Add(new ApiError("$.ttlMinutes", $"A link lives 1 to {labeling.Options.MaxTtlMinutes} minutes."));
        }

        List<int>? asked = null;
        if (root["batches"] is not null and not JsonArray)
        {
            errors.Add(new ApiError("$.batches", "Batches are an array of batch indices."));
        }

        if (root["batches"] is JsonArray batchArray)
        {
            asked = [.. batchArray.Select(b => b is JsonValue bv && bv.TryGetValue<int>(out var n) ? n : -1)];
            if (asked.Any(b => b < 0))
            {
                errors.Add(new ApiError("$.batches", "Batches are non-negative batch indices."));
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblem.BadRequest("Invalid label-links request", errors);
        }

        var (run, runProblem) = await LabelingRun.FindAsync(client, runId, cancellationToken);
        if (run is null)
        {
            return runProblem!;
        }

        var batchCount = await CountBatchesAsync(labeling.Store, runId, cancellationToken);
        var batches = new List<int>();
        foreach (var index in asked ?? [.. Enumerable.Range(0, batchCount)])
        {
            var open = index < batchCount && run.IsHumanBatch(index) && !await labeling.Store.ExistsAsync(ArtifactLayout.Labels(runId, index), cancellationToken);
            if (open)
            {
                batches.Add(index);
            }
            else if (asked is not null)
            {
                return ApiProblem.Conflict($"Batch {index} of run '{runId}' is not waiting for people (it does not exist, is not a human batch, or is labeled already).");
            }
        }

        if (!run.IsWaiting)
        {
            return ApiProblem.Conflict($"The labeling stage of run '{runId}' is over.");
        }

        var ttl = TimeSpan.FromMinutes(ttlMinutes);
        var page = $"{PublicBase.Of(request)}/api/label?token=";
        var links = batches
            .SelectMany(b => labelers!.Distinct(StringComparer.Ordinal).Select(l => (Batch: b, Labeler: l)))
            .Select(x => (x.Batch, x.Labeler, Token: labeling.Tokens.Issue(runId, x.Batch, x.Labeler, ttl)))
            .Select(x => new LabelLink(x.Labeler, x.Batch, page + Uri.EscapeDataString(x.Token), labeling.Tokens.Verify(x.Token).Claims!.ExpiresAt))
            .ToList();
        return Results.Json(new LabelLinks(runId, links), Core.Json.JsonDefaults.Options);
    }

    /// <summary>Under routing by principle, the people's principles (those the AI does not judge) with their descriptions.</summary>
    public static IReadOnlyList<LabelCriterion> CriteriaOf(LabelingSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.RoutesByPrinciple
            ? [.. LabelComparisons.OnlyPrinciples(spec, ai: false).Ai.Principles.Weighted().Select(p => new LabelCriterion(p.Key, Constitution.Descriptions[p.Key]))]
            : [];
    }

    /// <summary><c>GET /api/label/batch?token=</c>: the comparisons of the link's batch.</summary>
    public static async Task<IResult> BatchAsync(HttpRequest request, DurableTaskClient client, HumanLabeling labeling, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(labeling);
        var check = labeling.Tokens.Verify(request.Query["token"]);
        if (check.Claims is not { } claims)
        {
            return LabelingProblems.Refused(check);
        }

        var (run, problem) = await LabelingRun.FindAsync(client, claims.RunId, cancellationToken);
        var items = run is null ? null : await labeling.Submissions.ReadBatchAsync(claims.RunId, claims.BatchIndex, cancellationToken);
        if (run is null || items is null)
        {
            return problem ?? ApiProblem.NotFound($"Run '{claims.RunId}' has no batch {claims.BatchIndex}.");
        }

        var submitted = await labeling.Store.ExistsAsync(HumanSubmissionStore.PathOf(claims.RunId, claims.BatchIndex, claims.Labeler), cancellationToken);
        var closed = !run.IsWaiting || await HumanBatchCompletion.IsClosedByMachineAsync(labeling.Store, claims.RunId, claims.BatchIndex, cancellationToken);
        var comparisons = items
            .Select(i => new LabelComparisonView(ComparisonIds.Of(claims.RunId, claims.BatchIndex, i.PromptId), i.Prompt, [.. i.Completions.Select(c => c.Text)]))
            .ToList();
        return Results.Json(
            new LabelBatchView(claims.RunId, claims.BatchIndex, claims.Labeler, claims.ExpiresAt, submitted, closed, comparisons) { Criteria = CriteriaOf(run.Spec) },
            Core.Json.JsonDefaults.Options);
    }

    /// <summary>
    /// <c>POST /api/label/submissions</c>: validate, store write-once, then close the batch if it has enough people.
    /// A replay of the same answers is 200 with <c>duplicate: true</c>; different answers from the same labeler are 409.
    /// </summary>
    public static async Task<IResult> SubmitAsync(HttpRequest request, DurableTaskClient client, HumanLabeling labeling, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(labeling);
        var (body, problem) = await JsonBodyReader.ReadAsync(request, labeling.Options.MaxSubmissionBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var check = labeling.Tokens.Verify(LabelSubmissionReader.TokenOf(body));
        if (check.Claims is not { } claims)
        {
            return LabelingProblems.Refused(check);
        }

        var (run, runProblem) = await LabelingRun.FindAsync(client, claims.RunId, cancellationToken);
        if (run is null)
        {
            return runProblem!;
        }

        var items = await labeling.Submissions.ReadBatchAsync(claims.RunId, claims.BatchIndex, cancellationToken);
        if (items is null)
        {
            return ApiProblem.NotFound($"Run '{claims.RunId}' has no batch {claims.BatchIndex}.");
        }

        var (judgements, invalid) = LabelSubmissionReader.Read(body, claims.RunId, claims.BatchIndex, claims.Labeler, items, labeling.Options.MaxReasonLength);
        if (judgements is null)
        {
            return invalid!;
        }

        var path = HumanSubmissionStore.PathOf(claims.RunId, claims.BatchIndex, claims.Labeler);
        var isNew = !await labeling.Store.ExistsAsync(path, cancellationToken);
        if (isNew
            && (!run.IsWaiting || await HumanBatchCompletion.IsClosedByMachineAsync(labeling.Store, claims.RunId, claims.BatchIndex, cancellationToken)))
        {
            return ApiProblem.Conflict($"Batch {claims.BatchIndex} of run '{claims.RunId}' is closed (labeled by the AI fallback, or the run moved on); nothing was recorded.");
        }

        if (isNew && (await labeling.Submissions.ListAsync(claims.RunId, claims.BatchIndex, cancellationToken)).Count >= run.Spec.AnnotatorsPerComparison)
        {
            // Past the quota a submission would be stored and never used: the batch's labels are those of its first labelers.
            return ApiProblem.Conflict($"Batch {claims.BatchIndex} of run '{claims.RunId}' already has the {run.Spec.AnnotatorsPerComparison} labeler(s) it needs; nothing was recorded.");
        }

        var outcome = await labeling.Submissions.SaveAsync(claims.RunId, claims.BatchIndex, claims.Labeler, judgements, cancellationToken);
        if (outcome == SubmissionOutcome.Conflict)
        {
            return ApiProblem.Conflict($"'{claims.Labeler}' already submitted different answers for batch {claims.BatchIndex}; a submission cannot be changed.");
        }

        var state = await HumanBatchCompletion.CompleteIfReadyAsync(client, labeling, run, claims.BatchIndex, items, cancellationToken);
        return Results.Json(
            new LabelSubmissionResult(outcome == SubmissionOutcome.Stored, outcome == SubmissionOutcome.Duplicate, state.Submissions, state.Required, state.Signalled),
            Core.Json.JsonDefaults.Options);
    }

    private static List<string>? Strings(JsonNode? node) =>
        node is JsonArray array && array.All(e => e is JsonValue v && v.TryGetValue<string>(out _))
            ? [.. array.Select(e => e!.GetValue<string>())]
            : null;

    private static async Task<int> CountBatchesAsync(IArtifactStore store, string runId, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var _ in store.ListAsync($"{ArtifactLayout.Run(runId)}/labels/batches/", cancellationToken))
        {
            count++;
        }

        return count;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>
/// <c>POST /api/runs/{id}/rerun[?runId=]</c> with <c>{"from": "policy", "set": {"policy.ppo.learningRate": 0.0001}, "reuse": true}</c>:
/// a new run of the old run's spec with <c>set</c> applied, validated like any submission (errors name the JSON path), that runs
/// stage <c>from</c> and every later one again and reuses the earlier ones where their reuse key still matches, preferring
/// the old run's steps (docs/reuse.md). <c>reuse: false</c> reruns everything.
/// </summary>
public static class RunRerunApi
{
    private static readonly string[] Fields = ["from", "set", "reuse"];

    public static async Task<IResult> RerunAsync(
        HttpRequest request, string runId, DurableTaskClient client, IArtifactStore store, RlhfApiOptions options, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (requestedId, idProblem) = RunsApi.RequestedId(request);
        if (idProblem is not null)
        {
            return idProblem;
        }

        var (body, problem) = await JsonBodyReader.ReadAsync(request, options.MaxSpecBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (from, sets, reuse, errors) = Read(body);
        if (errors.Count > 0)
        {
            return ApiProblem.BadRequest("Invalid rerun request", errors);
        }

        var metadata = await RunsApi.FindRunAsync(runId, client, cancellationToken);
        if (metadata is null)
        {
            return RunsApi.UnknownRun(runId);
        }

        if (metadata.Name != TaskNames.RlhfRun || ReadSpec(metadata.SerializedInput) is not { } spec)
        {
            return ApiProblem.Conflict($"Run '{runId}' is a {metadata.Name} run; only runs started with POST /api/runs can be rerun.");
        }

        // the rerun's own switch decides reuse (the old spec may have said false); `set` may still say otherwise
        spec["reuse"] = reuse;
        foreach (var (path, value) in sets)
        {
            if (SpecPaths.TrySet(spec, path, value) is { } error)
            {
                return ApiProblem.BadRequest("Invalid rerun request", [new ApiError($"$.set['{path}']", error)]);
            }
        }

        return await RunsApi.SubmitAsync(
            request, spec, requestedId, s => new ReusePolicy { Enabled = s.Reuse, RerunFrom = from, PreferRun = runId }, client, store, clock, cancellationToken);
    }

    private static (PipelineStage From, IReadOnlyList<(string Path, JsonNode? Value)> Sets, bool Reuse, List<ApiError> Errors) Read(JsonNode? body)
    {
        var errors = new List<ApiError>();
        if (body is not JsonObject obj)
        {
            errors.Add(new ApiError("$", "Expected an object: {\"from\": \"<stage>\", \"set\": {\"path\": value}, \"reuse\": true}."));
            return (default, [], true, errors);
        }

        errors.AddRange(obj.Where(p => !Fields.Contains(p.Key, StringComparer.Ordinal))
            .Select(p => new ApiError($"$.{p.Key}", $"Unknown field '{p.Key}'. Known: {string.Join(", ", Fields)}.")));
        var stageNames = string.Join(", ", PipelineStages.All.Select(PipelineStages.Name));
        var from = obj["from"] is JsonValue fromValue && fromValue.TryGetValue<string>(out var name) ? PipelineStages.FromName(name) : null;
        if (from is null)
        {
            errors.Add(new ApiError("$.from", $"Required: the stage to run again from, one of {stageNames}."));
        }

        var sets = new List<(string, JsonNode?)>();
        switch (obj["set"])
        {
            case null:
                break;
            case JsonObject set:
                sets.AddRange(set.Select(p => (p.Key, p.Value)));
                errors.AddRange(set.Where(p => SpecPaths.FindError(p.Key) is not null)
                    .Select(p => new ApiError($"$.set['{(p.Key.Length > 80 ? p.Key[..80] + "…" : p.Key)}']", SpecPaths.FindError(p.Key)!)));
                break;
            default:
                errors.Add(new ApiError("$.set", "Expected an object of spec paths to values, e.g. {\"policy.ppo.learningRate\": 0.0001}."));
                break;
        }

        var reuse = true;
        if (obj["reuse"] is { } reuseNode && !(reuseNode is JsonValue reuseValue && reuseValue.TryGetValue(out reuse)))
        {
            errors.Add(new ApiError("$.reuse", "Expected true or false."));
        }

        return (from ?? default, sets, reuse, errors);
    }

    /// <summary>The old run's spec as the API writes specs (camelCase, defaults filled in), from its orchestration input.</summary>
    private static JsonObject? ReadSpec(string? serializedInput)
    {
        try
        {
            var input = string.IsNullOrWhiteSpace(serializedInput) ? null : JsonSerializer.Deserialize<RlhfRunInput>(serializedInput, JsonDefaults.Options);
            return input?.Spec is { } spec ? JsonSerializer.SerializeToNode(spec, JsonDefaults.Options) as JsonObject : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>
/// Turns an orchestration's metadata and the <see cref="RunStatus"/> it publishes as custom status into API views.
/// The status is read case-insensitively: the local worker's data converter writes PascalCase, the Functions
/// worker camelCase.
/// </summary>
public static class RunStatusReader
{
    /// <summary>The orchestrations that are runs (others, e.g. child orchestrations, are parts of one).</summary>
    public static IReadOnlySet<string> RunOrchestrations { get; } = new HashSet<string>(StringComparer.Ordinal) { TaskNames.RlhfRun, TaskNames.NightlyRetrain };

    /// <summary>A top-level run: a run orchestration whose id is not a child id (<c>{parent}:{part}</c>).</summary>
    public static bool IsRun(OrchestrationMetadata metadata) =>
        RunOrchestrations.Contains(metadata.Name) && !metadata.InstanceId.Contains(':', StringComparison.Ordinal);

    public static bool IsFinished(OrchestrationRuntimeStatus status) => status is
        OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    public static RunSummary ToSummary(HttpRequest request, OrchestrationMetadata metadata)
    {
        var status = ReadStatus(metadata.SerializedCustomStatus);
        return new RunSummary(
            metadata.InstanceId,
            metadata.Name,
            metadata.RuntimeStatus.ToString(),
            metadata.CreatedAt,
            metadata.LastUpdatedAt,
            status?.Stage,
            ProgressOf(status),
            RunLinks.RunUri(request, metadata.InstanceId));
    }

    /// <summary>
    /// <see cref="ToDetail"/> with each stage's live progress (<see cref="StageProgress"/>): the current stage's steps from its
    /// jobs' heartbeats, and wall times up to <paramref name="now"/> while the run runs.
    /// </summary>
    public static async Task<RunDetail> ToLiveDetailAsync(
        HttpRequest request, OrchestrationMetadata metadata, IArtifactStore store, DurableTaskClient client, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var detail = ToDetail(request, metadata);
        var status = ReadStatus(metadata.SerializedCustomStatus);
        var stages = await StageProgress.ReadAsync(metadata.InstanceId, status, detail.IsFinished, metadata.LastUpdatedAt, store, client, now, cancellationToken);
        var current = stages.Count > 0 && stages[^1].FinishedUtc is null && !detail.IsFinished ? stages[^1] : null;
        return detail with
        {
            Stages = stages,
            WallSeconds = Math.Max(0, ((detail.IsFinished ? metadata.LastUpdatedAt : now) - metadata.CreatedAt).TotalSeconds),
            Done = current is { Total: > 0 } ? current.Done : detail.Done,
            Total = current is { Total: > 0 } ? current.Total : detail.Total,
            Progress = current is { Total: > 0 } ? current.Progress : detail.Progress,
        };
    }

    public static RunDetail ToDetail(HttpRequest request, OrchestrationMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var status = ReadStatus(metadata.SerializedCustomStatus);
        var reuse = ReuseOf(metadata.SerializedInput);
        var stagesDone = status?.Stages.Count(s => s.FinishedUtc is not null && PipelineStages.FromName(s.Stage) is not null) ?? 0;
        return new RunDetail
        {
            Id = metadata.InstanceId,
            Kind = metadata.Name,
            RuntimeStatus = metadata.RuntimeStatus.ToString(),
            IsFinished = IsFinished(metadata.RuntimeStatus),
            CreatedAt = metadata.CreatedAt,
            LastUpdatedAt = metadata.LastUpdatedAt,
            WallSeconds = Math.Max(0, (metadata.LastUpdatedAt - metadata.CreatedAt).TotalSeconds),
            Stage = status?.Stage,
            Done = status?.Done ?? 0,
            Total = status?.Total ?? 0,
            Progress = ProgressOf(status),
            StagesDone = stagesDone,
            StagesTotal = PipelineStages.All.Count,
            Message = ErrorText.Sanitize(status?.Message),
            Metrics = status?.Metrics ?? new Dictionary<string, double>(),
            Stages = [.. (status?.Stages ?? []).Select(s => new StageView(s.Stage, s.StartedUtc, s.FinishedUtc)
            {
                ReusedFrom = s.ReusedFrom,
                Metrics = StageKeyMetrics.Pick(s.Stage, status!.Metrics),
            })],
            RerunOf = reuse?.RerunFrom is null ? null : reuse.PreferRun,
            RerunFrom = reuse?.RerunFrom is { } from ? PipelineStages.Name(from) : null,
            Reuse = reuse?.Enabled,
            Artifacts = (status?.Artifacts ?? []).Select(a => Link(request, metadata.InstanceId, a)).OfType<ArtifactLink>().ToList(),
            Error = ErrorOf(metadata),
            Output = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Failed
                ? JsonValue.Create(ErrorText.Sanitize(metadata.SerializedOutput))
                : ParseOrString(metadata.SerializedOutput),
            Links = RunLinks.For(request, metadata.InstanceId),
        };
    }

    /// <summary>The failure details, or (the Azure Storage provider keeps only the message) the output of a failed run.</summary>
    private static string? ErrorOf(OrchestrationMetadata metadata) => metadata switch
    {
        { FailureDetails: { } failure } => ErrorText.Sanitize($"{failure.ErrorType}: {failure.ErrorMessage}"),
        { RuntimeStatus: OrchestrationRuntimeStatus.Failed } => ErrorText.Sanitize(metadata.SerializedOutput) ?? "failed",
        _ => null,
    };

    private static double? ProgressOf(RunStatus? status) =>
        status is { Total: > 0 } ? Math.Clamp((double)status.Done / status.Total, 0, 1) : null;

    /// <summary>The reuse policy in a run's orchestration input (<see cref="RlhfRunInput.Reuse"/>), or null.</summary>
    private static ReusePolicy? ReuseOf(string? serializedInput)
    {
        try
        {
            return ParseOrString(serializedInput) is JsonObject input
                && input.FirstOrDefault(p => string.Equals(p.Key, nameof(RlhfRunInput.Reuse), StringComparison.OrdinalIgnoreCase)).Value is JsonObject reuse
                ? reuse.Deserialize<ReusePolicy>(JsonDefaults.Options)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A run's (or a child orchestration's) custom status, or null when it has none or it is not a <see cref="RunStatus"/>.</summary>
    public static RunStatus? ReadStatus(string? serialized)
    {
        if (string.IsNullOrWhiteSpace(serialized))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RunStatus>(serialized, JsonDefaults.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Parses serialized JSON; text that is not JSON (e.g. a terminate reason) comes back as a JSON string.</summary>
    private static JsonNode? ParseOrString(string? serialized)
    {
        if (string.IsNullOrWhiteSpace(serialized))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(serialized);
        }
        catch (JsonException)
        {
            return JsonValue.Create(serialized);
        }
    }

    /// <summary>Only artifacts inside the run's folder get a download link through the API.</summary>
    private static ArtifactLink? Link(HttpRequest request, string runId, Core.Artifacts.ArtifactRef artifact)
    {
        var prefix = RunIds.ArtifactPrefix(runId);
        return artifact.Path.StartsWith(prefix, StringComparison.Ordinal)
            ? new ArtifactLink(artifact.Path, artifact.Sha256, artifact.Bytes, RunLinks.ArtifactUri(request, runId, artifact.Path[prefix.Length..]))
            : null;
    }
}

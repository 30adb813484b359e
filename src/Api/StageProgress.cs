using Microsoft.DurableTask.Client;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>
/// Each stage's live progress: a training stage's heartbeats (<c>status.json</c> of the jobs it started, summed over sample
/// shards; those of the run it reused from, when it did), the labeling stage's batch count from its orchestration's custom
/// status, the wall time up to now while it runs, and its own key metrics (<see cref="StageKeyMetrics"/>).
/// </summary>
public static class StageProgress
{
    public const string StepsUnit = "steps";
    public const string BatchesUnit = "batches";

    public static async Task<IReadOnlyList<StageView>> ReadAsync(
        string runId, RunStatus? status, bool runFinished, DateTimeOffset lastUpdated, IArtifactStore store, DurableTaskClient client, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(client);
        var views = new List<StageView>();
        foreach (var stage in status?.Stages ?? [])
        {
            var end = stage.FinishedUtc ?? (runFinished ? lastUpdated.UtcDateTime : now.UtcDateTime);
            var view = new StageView(stage.Stage, stage.StartedUtc, stage.FinishedUtc)
            {
                Seconds = Math.Max(0, (end - stage.StartedUtc).TotalSeconds),
                ReusedFrom = stage.ReusedFrom,
            };
            var metrics = new Dictionary<string, double>(status!.Metrics, StringComparer.Ordinal);
            if (stage.Steps.Count > 0)
            {
                var beats = await HeartbeatsAsync(runId, stage, store, cancellationToken);
                var known = beats.OfType<JobStatus>().ToList();
                // a shard not started yet counts as long as the largest started one (shards are equal slices of the prompts)
                var missing = beats.Count - known.Count;
                view = view with
                {
                    Done = known.Sum(b => b.Step),
                    Total = known.Count == 0 ? 0 : known.Sum(b => b.TotalSteps) + (missing * known.Max(b => b.TotalSteps)),
                    Unit = StepsUnit,
                };
                foreach (var (key, value) in known.SelectMany(b => b.Metrics ?? new Dictionary<string, double>()))
                {
                    metrics[key] = value;
                }
            }
            else if (stage.Stage == PipelineStages.Name(PipelineStage.Labels)
                && RunStatusReader.ReadStatus((await client.GetInstanceAsync($"{runId}:{StepNames.Labels}", cancellationToken))?.SerializedCustomStatus) is { Total: > 0 } labels)
            {
                view = view with { Done = labels.Done, Total = labels.Total, Unit = BatchesUnit };
            }

            views.Add(view with { Metrics = StageKeyMetrics.Pick(stage.Stage, metrics) });
        }

        return views;
    }

    /// <summary>The heartbeat of each job of the stage (null where none was written yet), read where the steps' outputs are.</summary>
    private static async Task<IReadOnlyList<JobStatus?>> HeartbeatsAsync(string runId, StageTiming stage, IArtifactStore store, CancellationToken cancellationToken)
    {
        var beats = new List<JobStatus?>();
        foreach (var output in stage.Steps)
        {
            var folder = stage.ReusedFrom is { } from && output.StartsWith($"{ArtifactLayout.Run(runId)}/", StringComparison.Ordinal)
                ? ArtifactLayout.Run(from) + output[ArtifactLayout.Run(runId).Length..]
                : output;
            try
            {
                beats.Add(await store.ReadJsonAsync<JobStatus>(JobStatus.PathFor(folder), cancellationToken));
            }
            catch (ArtifactNotFoundException)
            {
                beats.Add(null);
            }
        }

        return beats;
    }
}

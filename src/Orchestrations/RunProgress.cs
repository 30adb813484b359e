using Microsoft.DurableTask;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.Core.Telemetry;

namespace Rlhf.Orchestrations;

/// <summary>
/// Builds an orchestration's <see cref="RunStatus"/> as it goes: stage timings from the replay-safe
/// clock, latest metrics, artifacts written. Rebuilt identically on every replay (it only reads the context).
/// A stage's duration also goes to the metric <c>rlhf.stage.duration</c>, once, when the stage ends outside a replay
/// (a side effect that changes nothing the orchestration does, like the replay-safe logger's lines).
/// </summary>
internal sealed class RunProgress(TaskOrchestrationContext context, int totalStages)
{
    /// <summary>The marker stage appended when the run ends.</summary>
    public const string CompletedStage = "completed";

    private readonly List<StageTiming> _stages = [];
    private readonly Dictionary<string, double> _metrics = new(StringComparer.Ordinal);
    private readonly List<ArtifactRef> _artifacts = [];
    private string? _message;

    public IReadOnlyDictionary<string, double> Metrics => _metrics;

    public IReadOnlyList<ArtifactRef> Artifacts => _artifacts;

    /// <summary>The stage running now, when it is one of <see cref="PipelineStages"/>.</summary>
    public PipelineStage? CurrentStage => _stages.Count > 0 && _stages[^1].FinishedUtc is null ? PipelineStages.FromName(_stages[^1].Stage) : null;

    /// <summary>The current stage runs trainer jobs writing under <paramref name="outputs"/>: the API reads their heartbeats for its progress.</summary>
    public void Running(params string[] outputs)
    {
        if (_stages.Count > 0 && _stages[^1].FinishedUtc is null)
        {
            _stages[^1] = _stages[^1] with { Steps = [.. _stages[^1].Steps, .. outputs] };
            Publish(0, 0, _message);
        }
    }

    /// <summary>The current stage took its result from run <paramref name="fromRun"/> (no-op when null).</summary>
    public void Reused(string? fromRun)
    {
        if (fromRun is not null && _stages.Count > 0)
        {
            _stages[^1] = _stages[^1] with { ReusedFrom = fromRun };
        }
    }

    public void Start(string stage, string? message = null)
    {
        FinishCurrent();
        _stages.Add(new StageTiming(stage, context.CurrentUtcDateTime));
        Publish(0, 0, message);
    }

    /// <summary>Progress inside the current stage, e.g. shards or batches done.</summary>
    public void Publish(int done, int total, string? message = null)
    {
        _message = message;
        var stage = _stages.Count == 0 ? "starting" : _stages[^1].Stage;
        // the closing marker is not a stage of its own
        var finished = _stages.Count(s => s.FinishedUtc is not null && s.Stage != CompletedStage);
        context.SetCustomStatus(new RunStatus(stage, total == 0 ? finished : done, total == 0 ? totalStages : total)
        {
            Metrics = new Dictionary<string, double>(_metrics),
            Stages = [.. _stages],
            Artifacts = [.. _artifacts],
            Message = message,
        });
    }

    public void AddMetrics(IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var (key, value) in metrics)
        {
            _metrics[key] = value;
        }
    }

    public void AddArtifact(ArtifactRef artifact) => _artifacts.Add(artifact);

    public void Complete(string message)
    {
        FinishCurrent();
        _stages.Add(new StageTiming(CompletedStage, context.CurrentUtcDateTime, context.CurrentUtcDateTime));
        Publish(0, 0, message);
    }

    private void FinishCurrent()
    {
        if (_stages.Count > 0 && _stages[^1].FinishedUtc is null)
        {
            var finished = _stages[^1] with { FinishedUtc = context.CurrentUtcDateTime };
            _stages[^1] = finished;
            if (!context.IsReplaying)
            {
                PipelineMetrics.RecordStage(finished.Stage, context.CurrentUtcDateTime - finished.StartedUtc);
            }
        }
    }
}

using System.Diagnostics;
using Microsoft.DurableTask;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.Core.Telemetry;

namespace Rlhf.Activities.Labeling;

/// <summary>
/// Labels one batch with the <see cref="IPreferenceLabeler"/> of the requested mode and writes
/// <c>runs/{runId}/labels/batch-NNNN.jsonl</c> (TRL <c>prompt</c>/<c>chosen</c>/<c>rejected</c> plus ids and
/// rankings), then its summary <c>batch-NNNN.json</c> (a machine-labeled <see cref="LabelBatchInput.Part"/> goes to its own
/// folder, <c>labels/{part}/</c>). A retry that finds the summary returns it unchanged. The labels and their rate go to
/// the metrics <c>rlhf.labeling.labels</c> and <c>rlhf.labeling.throughput</c>.
/// </summary>
public sealed class LabelBatch(IArtifactStore store, IEnumerable<IPreferenceLabeler> labelers) : TaskActivity<LabelBatchInput, LabelBatchResult>
{
    public override async Task<LabelBatchResult> RunAsync(TaskActivityContext context, LabelBatchInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var labelsPath = ArtifactLayout.Labels(input.RunId, input.BatchIndex, input.Part);
        var summaryPath = Path.ChangeExtension(labelsPath, ".json");
        if (await store.ExistsAsync(summaryPath))
        {
            return await store.ReadJsonAsync<LabelBatchResult>(summaryPath);
        }

        var labeler = (input.Mode == LabelingMode.Ai
                ? labelers.OfType<IAiJudge>().FirstOrDefault(j => j.Kind == input.Labeling.Ai.Judge)
                : labelers.FirstOrDefault(l => l.Mode == input.Mode))
            ?? throw new NotSupportedException($"No labeler is registered for labeling mode {input.Mode} (AI judge {input.Labeling.Ai.Judge}).");
        var items = await Jsonl.ReadAsync<SampleRecord>(store, input.Batch);
        var started = Stopwatch.GetTimestamp();
        var labeled = await labeler.LabelAsync(input, items);
        PipelineMetrics.RecordLabeledBatch(input.Mode.ToString().ToLowerInvariant(), labeled.Records.Count, Stopwatch.GetElapsedTime(started));
        var labels = await store.PutAsync(labelsPath, Jsonl.Serialize(labeled.Records));
        var result = new LabelBatchResult(input.BatchIndex, labels, labeled.Records.Count, labeled.Labeler) { GoldAgreement = labeled.GoldAgreement };
        await store.PutJsonAsync(summaryPath, result);
        return result;
    }
}

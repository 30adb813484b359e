using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Labeling.Human;

public enum SubmissionOutcome
{
    /// <summary>First submission of this labeler for this batch: written.</summary>
    Stored,

    /// <summary>The same judgements were already stored (a replay, a double click): nothing written.</summary>
    Duplicate,

    /// <summary>This labeler already submitted different judgements for this batch: refused, nothing written.</summary>
    Conflict,
}

/// <summary>
/// The durable record of what people submitted, one write-once JSONL file per labeler and batch:
/// <c>runs/{runId}/labels/human/batch-NNNN/{labeler}.jsonl</c>. A file is written whole or not at all, before the
/// orchestration hears of it, so a host that dies after the write loses nothing and one that dies before it
/// stored nothing (the labeler's retry is a first submission).
/// </summary>
public sealed class HumanSubmissionStore(IArtifactStore store)
{
    public static string Folder(string runId, int batchIndex) => $"runs/{runId}/labels/human/batch-{batchIndex:D4}";

    public static string PathOf(string runId, int batchIndex, string labeler) => $"{Folder(runId, batchIndex)}/{labeler}.jsonl";

    /// <summary>Marker written after the batch's event was raised, so repeats do not raise it again.</summary>
    public static string SignalledPath(string runId, int batchIndex) => $"{Folder(runId, batchIndex)}/_signalled.json";

    /// <summary>The <see cref="HumanLabelsSubmitted"/> payload that closed the batch: which labelers' submissions count.</summary>
    public static string EventPath(string runId, int batchIndex) => $"{Folder(runId, batchIndex)}/_event.json";

    /// <summary>Marker of a batch answered from an earlier run's stored submissions (docs/reuse.md).</summary>
    public static string ReusedPath(string runId, int batchIndex) => $"{Folder(runId, batchIndex)}/_reused.json";

    public async Task<SubmissionOutcome> SaveAsync(string runId, int batchIndex, string labeler, IReadOnlyList<HumanJudgement> judgements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(judgements);
        var path = PathOf(runId, batchIndex, labeler);
        var content = Jsonl.Serialize(judgements);
        if (await store.ExistsAsync(path, cancellationToken))
        {
            return (await store.ReadAsync(path, cancellationToken)).AsSpan().SequenceEqual(content) ? SubmissionOutcome.Duplicate : SubmissionOutcome.Conflict;
        }

        try
        {
            await store.PutAsync(path, content, cancellationToken);
            return SubmissionOutcome.Stored;
        }
        catch (ArtifactConflictException)
        {
            // A request from the same labeler with different answers wrote first (identical bytes would have been a no-op).
            return SubmissionOutcome.Conflict;
        }
    }

    /// <summary>Every stored submission of a batch, by labeler id (ordinal order).</summary>
    public async Task<IReadOnlyList<(string Labeler, IReadOnlyList<HumanJudgement> Judgements)>> ListAsync(string runId, int batchIndex, CancellationToken cancellationToken = default)
    {
        var submissions = new List<(string, IReadOnlyList<HumanJudgement>)>();
        await foreach (var path in store.ListAsync(Folder(runId, batchIndex) + "/", cancellationToken))
        {
            if (path.EndsWith(".jsonl", StringComparison.Ordinal))
            {
                var labeler = Path.GetFileNameWithoutExtension(path);
                submissions.Add((labeler, Jsonl.Deserialize<HumanJudgement>(path, await store.ReadAsync(path, cancellationToken))));
            }
        }

        return [.. submissions.OrderBy(s => s.Item1, StringComparer.Ordinal)];
    }

    /// <summary>The comparisons of a batch, as <c>PrepareLabelBatches</c> wrote them.</summary>
    public async Task<IReadOnlyList<SampleRecord>?> ReadBatchAsync(string runId, int batchIndex, CancellationToken cancellationToken = default)
    {
        var path = ArtifactLayout.LabelBatch(runId, batchIndex);
        return await store.ExistsAsync(path, cancellationToken)
            ? Jsonl.Deserialize<SampleRecord>(path, await store.ReadAsync(path, cancellationToken))
            : null;
    }
}

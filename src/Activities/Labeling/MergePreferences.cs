using Microsoft.DurableTask;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Labeling;

/// <summary>
/// Merges prior preference files (the label pool of earlier nights, the champion's labels) and the run's labeled
/// batches, in the given order, into <c>runs/{runId}/labels/preferences.jsonl</c>, checking every input's SHA-256:
/// <list type="number">
/// <item>every line states where it came from: the run's own lines get its run id and their batch; prior lines keep
/// theirs (lines written before provenance get the run id that prefixes their id);</item>
/// <item>a line of a later file that repeats an earlier file's line (same id and labeler) is left out, so a pool that
/// already holds the champion's labels does not count them twice;</item>
/// <item>the label window (<see cref="LabelWindow"/>) bounds what is kept;</item>
/// <item><c>preferences.summary.json</c> records, per run, the comparisons kept, how many people labeled and how many the window dropped.</item>
/// </list>
/// The orchestration passes batches in batch order, so the merged file (and its hash) is the same whatever order batches finished in.
/// </summary>
public sealed class MergePreferences(IArtifactStore store) : TaskActivity<MergePreferencesInput, ArtifactRef>
{
    public override async Task<ArtifactRef> RunAsync(TaskActivityContext context, MergePreferencesInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var lines = new List<PreferenceRecord>();
        var seen = new HashSet<(string, string)>();
        foreach (var prior in input.Prior)
        {
            AddFile(lines, seen, await ReadAsync(prior), line => line with { RunId = line.RunId ?? line.RunIdOfId() });
        }

        foreach (var batch in input.Batches)
        {
            AddFile(lines, seen, await ReadAsync(batch.Labels), line => line with { RunId = line.RunId ?? input.RunId, Batch = line.Batch ?? batch.Batch });
        }

        var (kept, runs) = LabelWindow.Apply(lines, input.Window);
        await store.PutJsonAsync(ArtifactLayout.PreferenceSummary(input.RunId), new PreferenceSummary(runs, input.Window));
        return await store.PutAsync(ArtifactLayout.Preferences(input.RunId), Jsonl.Serialize(kept));
    }

    private Task<IReadOnlyList<PreferenceRecord>> ReadAsync(ArtifactRef part) => Jsonl.ReadAsync<PreferenceRecord>(store, part);

    /// <summary>Adds a file's lines, stamped, except those an earlier file already contributed; repeats within one file stay (two votes).</summary>
    private static void AddFile(List<PreferenceRecord> lines, HashSet<(string, string)> seen, IReadOnlyList<PreferenceRecord> file, Func<PreferenceRecord, PreferenceRecord> stamp)
    {
        var added = new List<(string, string)>();
        foreach (var line in file.Select(stamp))
        {
            if (seen.Contains((line.Id, line.Labeler)))
            {
                continue;
            }

            lines.Add(line);
            added.Add((line.Id, line.Labeler));
        }

        seen.UnionWith(added);
    }
}

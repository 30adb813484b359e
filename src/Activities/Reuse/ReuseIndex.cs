using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Json;

namespace Rlhf.Activities.Reuse;

/// <summary>
/// One completed step offered for reuse: which run computed it under <see cref="Key"/>, its folder under that run
/// (<see cref="Step"/>, e.g. <c>sft</c> or <c>samples/shard-0</c>), the artifact whose presence and hash prove it is still
/// there (<see cref="Anchor"/>: the manifest, or the merged preferences), and its result as the run recorded it.
/// </summary>
public sealed record ReuseEntry(string Key, string RunId, string Step, ArtifactRef Anchor, JsonNode Result)
{
    public T ResultAs<T>() => Result.Deserialize<T>(JsonDefaults.Options) ?? throw new InvalidDataException($"Reuse entry {Key} of run '{RunId}' has no result.");
}

/// <summary><c>runs/{runId}/{step}/reused.json</c>: this run took the step from <paramref name="FromRun"/> instead of running it.</summary>
public sealed record ReusedStepRecord(string FromRun, string Step, string Key, ArtifactRef Anchor);

/// <summary><c>runs/{fromRun}/{step}/reused-by/{runId}.json</c>: run <paramref name="RunId"/> references this step.</summary>
public sealed record ReuseReferrer(string RunId, string Key);

/// <summary>
/// The reuse index in the artifact store (docs/reuse.md), found by key in one small listing:
/// <list type="bullet">
/// <item><c>reuse/keys/{key}/{runId}.json</c>: a <see cref="ReuseEntry"/>, one per run that completed a step under the key;</item>
/// <item><c>reuse/runs/{runId}/{key}.json</c>: the same entry, so a purge finds a run's entries without scanning the index
/// (written first, so every keyed entry has one);</item>
/// <item><c>runs/{runId}/{step}/reused.json</c> in the reusing run (what status and report show) and
/// <c>runs/{fromRun}/{step}/reused-by/{runId}.json</c> in the reused one (what makes its purge refuse).</item>
/// </list>
/// Every write is write-once, so a retried activity repeats it as a no-op.
/// </summary>
public sealed class ReuseIndex(IArtifactStore store)
{
    public static string EntryPath(string key, string runId) => $"reuse/keys/{key}/{runId}.json";

    public static string RunEntryPath(string runId, string key) => $"reuse/runs/{runId}/{key}.json";

    public static string ReusedPath(string runId, string step) => $"runs/{runId}/{step}/reused.json";

    public static string ReferrerPath(string fromRun, string step, string runId) => $"runs/{fromRun}/{step}/reused-by/{runId}.json";

    /// <summary>Offers a completed step for reuse under its key (the first record of a key by a run wins).</summary>
    public async Task RecordAsync(ReuseEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await PutOnceAsync(RunEntryPath(entry.RunId, entry.Key), entry, cancellationToken);
        await PutOnceAsync(EntryPath(entry.Key, entry.RunId), entry, cancellationToken);
    }

    /// <summary>
    /// The earlier step <paramref name="runId"/> may take for its step <paramref name="step"/> under <paramref name="key"/>, or
    /// null: <paramref name="preferRun"/>'s entry first, then the others in ordinal order of run id, skipping those whose anchor
    /// is gone or changed. The referrer marker is written before the entry is checked once more, so a purge of the chosen run
    /// either deleted the entry first (and the claim moves on) or finds the marker (and refuses).
    /// </summary>
    public async Task<ReuseEntry?> ClaimAsync(string key, string runId, string step, string? preferRun, CancellationToken cancellationToken = default)
    {
        // a retried claim keeps the choice the first attempt recorded
        var earlier = await ReadAsync<ReusedStepRecord>(ReusedPath(runId, step), cancellationToken);
        var candidates = new List<string>();
        await foreach (var path in store.ListAsync($"reuse/keys/{key}/", cancellationToken))
        {
            candidates.Add(Path.GetFileNameWithoutExtension(path));
        }

        var first = earlier?.FromRun ?? preferRun;
        foreach (var candidate in candidates.Where(c => c != runId).OrderBy(c => c == first ? 0 : 1).ThenBy(c => c, StringComparer.Ordinal))
        {
            var entry = await ReadAsync<ReuseEntry>(EntryPath(key, candidate), cancellationToken);
            if (entry is null || !await HoldsAsync(entry.Anchor, cancellationToken))
            {
                continue;
            }

            var marker = ReferrerPath(entry.RunId, entry.Step, runId);
            await PutOnceAsync(marker, new ReuseReferrer(runId, key), cancellationToken);
            if (!await store.ExistsAsync(EntryPath(key, candidate), cancellationToken))
            {
                await store.DeletePrefixAsync(marker, cancellationToken);
                continue;
            }

            await PutOnceAsync(ReusedPath(runId, step), new ReusedStepRecord(entry.RunId, entry.Step, key, entry.Anchor), cancellationToken);
            return entry;
        }

        return null;
    }

    /// <summary>The runs that reference a step of <paramref name="runId"/> (its <c>reused-by</c> markers), in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> ReferrersAsync(string runId, CancellationToken cancellationToken = default)
    {
        var referrers = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var path in store.ListAsync($"runs/{runId}/", cancellationToken))
        {
            var folder = Path.GetDirectoryName(path)?.Replace('\\', '/');
            if (folder?.EndsWith("/reused-by", StringComparison.Ordinal) == true && path.EndsWith(".json", StringComparison.Ordinal))
            {
                referrers.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        referrers.Remove(runId);
        return [.. referrers];
    }

    /// <summary>Stops offering <paramref name="runId"/>'s steps for reuse; returns the entries removed (for <see cref="RestoreAsync"/>).</summary>
    public async Task<IReadOnlyList<ReuseEntry>> WithdrawAsync(string runId, CancellationToken cancellationToken = default)
    {
        var entries = new List<ReuseEntry>();
        await foreach (var path in store.ListAsync($"reuse/runs/{runId}/", cancellationToken))
        {
            if (await ReadAsync<ReuseEntry>(path, cancellationToken) is { } entry)
            {
                entries.Add(entry);
                await store.DeletePrefixAsync(EntryPath(entry.Key, runId), cancellationToken);
            }
        }

        return entries;
    }

    /// <summary>Offers withdrawn entries again (a purge that was refused).</summary>
    public async Task RestoreAsync(IEnumerable<ReuseEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            await PutOnceAsync(EntryPath(entry.Key, entry.RunId), entry, cancellationToken);
        }
    }

    /// <summary>
    /// Forgets <paramref name="runId"/> as a user of other runs' steps (its markers in their folders) and its own index records;
    /// returns how many documents went. Call after <see cref="WithdrawAsync"/> when its folder is about to be purged.
    /// </summary>
    public async Task<int> ForgetAsync(string runId, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        await foreach (var path in store.ListAsync($"runs/{runId}/", cancellationToken))
        {
            if (path.EndsWith("/reused.json", StringComparison.Ordinal) && await ReadAsync<ReusedStepRecord>(path, cancellationToken) is { } reused)
            {
                deleted += await store.DeletePrefixAsync(ReferrerPath(reused.FromRun, reused.Step, runId), cancellationToken);
            }
        }

        return deleted + await store.DeletePrefixAsync($"reuse/runs/{runId}/", cancellationToken);
    }

    /// <summary>Whether the anchor is still stored with the hash it had when recorded.</summary>
    public async Task<bool> HoldsAsync(ArtifactRef anchor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        return (await store.GetRefAsync(anchor.Path, cancellationToken))?.Sha256 == anchor.Sha256;
    }

    private async Task<T?> ReadAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await store.ReadJsonAsync<T>(path, cancellationToken);
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes once; a document already there (this run recorded the key before) is kept.</summary>
    private async Task PutOnceAsync<T>(string path, T document, CancellationToken cancellationToken)
    {
        try
        {
            await store.PutJsonAsync(path, document, cancellationToken);
        }
        catch (ArtifactConflictException)
        {
            // an earlier attempt wrote it with other content: the first record stands
        }
    }
}

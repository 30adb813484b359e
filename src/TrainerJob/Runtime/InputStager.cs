using Rlhf.Core.Artifacts;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>A staged input: the local path to read (a file, or a folder for a model prefix) and the artifacts it came from.</summary>
public sealed record StagedInput(string LocalPath, bool IsFolder, IReadOnlyList<ArtifactRef> Artifacts);

/// <summary>
/// Copies input artifacts from the store to local disk, content-addressed: each file lands once in
/// <c>{cacheRoot}/sha256/{hash}</c> (hash from <see cref="IArtifactStore.GetRefAsync"/>, verified after download),
/// so a resubmitted job, or another job on the same machine reading the same weights, downloads nothing.
/// A folder input (a model prefix such as <c>runs/r1/sft/model</c>) becomes a local folder of links into the cache.
/// </summary>
public sealed class InputStager(IArtifactStore store, string cacheRoot)
{
    /// <summary>True when <paramref name="path"/> names an artifact or a non-empty prefix.</summary>
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default)
    {
        if (await store.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        await foreach (var _ in store.ListAsync(path.TrimEnd('/') + "/", cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }

    /// <summary>Stages <paramref name="path"/>: a single artifact, or every artifact under <c>{path}/</c> into <paramref name="folderTarget"/>.</summary>
    public async Task<StagedInput> StageAsync(string path, string folderTarget, CancellationToken cancellationToken = default)
    {
        var single = await store.GetRefAsync(path, cancellationToken).ConfigureAwait(false);
        if (single is not null)
        {
            return new StagedInput(await FetchAsync(single, cancellationToken).ConfigureAwait(false), IsFolder: false, [single]);
        }

        var prefix = path.TrimEnd('/') + "/";
        var refs = new List<ArtifactRef>();
        Directory.CreateDirectory(folderTarget);
        await foreach (var file in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var reference = await store.GetRefAsync(file, cancellationToken).ConfigureAwait(false) ?? throw new ArtifactNotFoundException(file);
            var cached = await FetchAsync(reference, cancellationToken).ConfigureAwait(false);
            var local = Path.Combine(folderTarget, file[prefix.Length..].Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            File.Delete(local);
            File.CreateSymbolicLink(local, cached);
            refs.Add(reference);
        }

        return refs.Count > 0 ? new StagedInput(folderTarget, IsFolder: true, refs) : throw new ArtifactNotFoundException(path);
    }

    /// <summary>The cached local copy of <paramref name="reference"/>, downloading and verifying it when absent.</summary>
    public async Task<string> FetchAsync(ArtifactRef reference, CancellationToken cancellationToken)
    {
        var cached = Path.Combine(cacheRoot, "sha256", reference.Sha256);
        if (File.Exists(cached))
        {
            return cached;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        var temp = $"{cached}.{Environment.ProcessId}.tmp";
        await store.DownloadToFileAsync(reference.Path, temp, cancellationToken).ConfigureAwait(false);
        var (sha256, _) = await ContentHash.Sha256FileAsync(temp, cancellationToken).ConfigureAwait(false);
        if (sha256 != reference.Sha256)
        {
            File.Delete(temp);
            throw new InvalidDataException($"Artifact '{reference.Path}' downloaded with SHA-256 {sha256}, expected {reference.Sha256}.");
        }

        File.Move(temp, cached, overwrite: true);
        return cached;
    }
}

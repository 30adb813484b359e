namespace Rlhf.Core.Artifacts;

/// <summary>
/// Where every artifact of the pipeline lives: a local folder or an Azure Blob Storage container
/// (Azurite locally). Paths are relative, '/'-separated and validated by <see cref="ArtifactPath"/>.
/// Artifacts are write-once: writing the same bytes again is a no-op that returns the same
/// reference, writing different bytes to an existing path throws <see cref="ArtifactConflictException"/>.
/// Only a few mutable documents (job status heartbeats, the champion pointer) use
/// <see cref="OverwriteAsync"/>, with an optional ETag precondition for optimistic concurrency.
/// </summary>
public interface IArtifactStore
{
    /// <summary>The store's location as given to <see cref="ArtifactStores.Open"/>: a folder path or a container URI.</summary>
    string Location { get; }

    /// <summary>A reference a user can follow: a file path or a blob URI.</summary>
    Uri GetUri(string path);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// The reference (SHA-256 and size) of a stored artifact, or null when absent: what a step lists as an input
    /// in its manifest. Cheap on Blob Storage (the hash is in the blob's <c>sha256</c> metadata); hashes the file locally.
    /// </summary>
    Task<ArtifactRef?> GetRefAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Writes once. Same content again: no-op. Different content: <see cref="ArtifactConflictException"/>.</summary>
    Task<ArtifactRef> PutAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Streams a (possibly large) local file into the store, write-once like <see cref="PutAsync"/>.</summary>
    Task<ArtifactRef> PutFileAsync(string path, string localFile, CancellationToken cancellationToken = default);

    /// <summary>Reads an artifact; throws <see cref="ArtifactNotFoundException"/> when absent.</summary>
    Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Downloads an artifact to a local file (created or replaced); throws <see cref="ArtifactNotFoundException"/>.</summary>
    Task DownloadToFileAsync(string path, string localFile, CancellationToken cancellationToken = default);

    /// <summary>Reads a mutable document with its ETag, or null when absent.</summary>
    Task<VersionedContent?> ReadVersionedAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a mutable document. With <paramref name="ifMatchETag"/> the write only succeeds when the
    /// stored ETag still matches (use "*"-free null to write unconditionally, <see cref="VersionedContent.NoneETag"/>
    /// to require that the document does not exist yet). Returns false when the precondition failed.
    /// </summary>
    Task<bool> OverwriteAsync(string path, ReadOnlyMemory<byte> content, string? ifMatchETag = null, CancellationToken cancellationToken = default);

    /// <summary>Paths (relative to the store root) under a prefix, in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes every artifact under a prefix (used by purge and by failed-validation clean-up). Returns the count.</summary>
    Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>A reference to a stored artifact: what travels through orchestration history instead of data.</summary>
public sealed record ArtifactRef(string Path, string Sha256, long Bytes);

/// <summary>A mutable document and the ETag to pass back for a conditional overwrite.</summary>
public sealed record VersionedContent(byte[] Content, string ETag)
{
    /// <summary>Pass as ifMatchETag to require that the document does not exist yet.</summary>
    public const string NoneETag = "<none>";
}

public sealed class ArtifactConflictException(string path)
    : InvalidOperationException($"Artifact '{path}' already exists with different content; artifacts are write-once.")
{
    public string ArtifactPathValue { get; } = path;
}

public sealed class ArtifactNotFoundException(string path)
    : FileNotFoundException($"Artifact '{path}' does not exist.", path);

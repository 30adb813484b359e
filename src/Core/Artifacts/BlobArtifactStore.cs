using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Rlhf.Core.Artifacts;

/// <summary>
/// An <see cref="IArtifactStore"/> over one Azure Blob Storage container (Azurite locally).
/// Write-once uploads carry <c>If-None-Match: *</c> and the content SHA-256 in the blob metadata
/// <c>sha256</c>, so when the blob already exists deciding "same content, no-op" or "conflict" needs one
/// HEAD request, no download. Mutable documents use the blob ETag (<c>If-Match</c>, or <c>If-None-Match: *</c>
/// for <see cref="VersionedContent.NoneETag"/>). The container is created on first write.
/// </summary>
public sealed class BlobArtifactStore : IArtifactStore
{
    /// <summary>Metadata key holding the lowercase hex SHA-256 of the content.</summary>
    public const string Sha256MetadataKey = "sha256";

    private const int MiB = 1 << 20;

    /// <summary>Large files go up and down in 8 MiB blocks, 4 at a time, streamed from/to disk.</summary>
    private static readonly StorageTransferOptions Transfer = new()
    {
        InitialTransferSize = 8 * MiB,
        MaximumTransferSize = 8 * MiB,
        MaximumConcurrency = 4,
    };

    private readonly BlobContainerClient _container;

    public BlobArtifactStore(BlobContainerClient container, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        Location = location ?? container.Uri.AbsoluteUri;
    }

    public string Location { get; }

    public BlobContainerClient Container => _container;

    public Uri GetUri(string path) => Blob(path).Uri;

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        (await Blob(path).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    public async Task<ArtifactRef?> GetRefAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        BlobProperties properties;
        try
        {
            properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        if (properties.Metadata.TryGetValue(Sha256MetadataKey, out var sha256))
        {
            return new ArtifactRef(path, sha256, properties.ContentLength);
        }

        // Written by another tool: hash it as it streams by.
        await using var stream = await blob.OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var (hash, bytes) = await ContentHash.Sha256Async(stream, cancellationToken).ConfigureAwait(false);
        return new ArtifactRef(path, hash, bytes);
    }

    public Task<ArtifactRef> PutAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        var expected = new ArtifactRef(path, ContentHash.Sha256(content.Span), content.Length);
        return PutOnceAsync(expected, options => blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken), cancellationToken);
    }

    public async Task<ArtifactRef> PutFileAsync(string path, string localFile, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        var (sha256, bytes) = await ContentHash.Sha256FileAsync(localFile, cancellationToken).ConfigureAwait(false);
        var expected = new ArtifactRef(path, sha256, bytes);

        // Skip streaming a large file when it is already there; the precondition still guards the race.
        var existing = await GetRefAsync(path, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return SameOrConflict(existing, expected);
        }

        return await PutOnceAsync(expected, options => blob.UploadAsync(localFile, options, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await Blob(path).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ArtifactNotFoundException(path);
        }
    }

    public async Task DownloadToFileAsync(string path, string localFile, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        var target = Path.GetFullPath(localFile);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = $"{target}.{Guid.NewGuid():N}.partial";
        try
        {
            await blob.DownloadToAsync(partial, new BlobDownloadToOptions { TransferOptions = Transfer }, cancellationToken).ConfigureAwait(false);
            File.Move(partial, target, overwrite: true);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ArtifactNotFoundException(path);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public async Task<VersionedContent?> ReadVersionedAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await Blob(path).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return new VersionedContent(result.Value.Content.ToArray(), result.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> OverwriteAsync(string path, ReadOnlyMemory<byte> content, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        var blob = Blob(path);
        var options = new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { [Sha256MetadataKey] = ContentHash.Sha256(content.Span) },
            Conditions = ifMatchETag switch
            {
                null => null,
                VersionedContent.NoneETag => new BlobRequestConditions { IfNoneMatch = ETag.All },
                _ => new BlobRequestConditions { IfMatch = new ETag(ifMatchETag) },
            },
        };
        try
        {
            await WithContainerAsync(() => blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (IsPreconditionFailure(ex) || (ifMatchETag is not null && ex.Status == 404))
        {
            return false;
        }
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        prefix = ArtifactPath.NormalizePrefix(prefix);
        if (!(await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            yield break;
        }

        var pages = _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken);
        await foreach (var item in pages.ConfigureAwait(false))
        {
            yield return item.Name;
        }
    }

    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(ListAsync(prefix, cancellationToken), parallel, async (name, ct) =>
        {
            var response = await _container.DeleteBlobIfExistsAsync(name, DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct).ConfigureAwait(false);
            if (response.Value)
            {
                Interlocked.Increment(ref deleted);
            }
        }).ConfigureAwait(false);
        return deleted;
    }

    private async Task<ArtifactRef> PutOnceAsync(ArtifactRef expected, Func<BlobUploadOptions, Task> upload, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            Metadata = new Dictionary<string, string> { [Sha256MetadataKey] = expected.Sha256 },
            TransferOptions = Transfer,
        };

        // A blob deleted between the failed upload and the look-up is simply written again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WithContainerAsync(() => upload(options), cancellationToken).ConfigureAwait(false);
                return expected;
            }
            catch (RequestFailedException ex) when (IsPreconditionFailure(ex))
            {
                var existing = await GetRefAsync(expected.Path, cancellationToken).ConfigureAwait(false);
                if (existing is not null || attempt == 3)
                {
                    return SameOrConflict(existing, expected);
                }
            }
        }
    }

    private async Task WithContainerAsync(Func<Task> write, CancellationToken cancellationToken)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await write().ConfigureAwait(false);
        }
    }

    private static ArtifactRef SameOrConflict(ArtifactRef? existing, ArtifactRef expected) =>
        existing is not null && existing.Sha256 == expected.Sha256 && existing.Bytes == expected.Bytes
            ? expected
            : throw new ArtifactConflictException(expected.Path);

    /// <summary>409 BlobAlreadyExists (If-None-Match: * on Azure) or 412 ConditionNotMet (If-Match, and Azurite's answer to If-None-Match: *).</summary>
    private static bool IsPreconditionFailure(RequestFailedException ex) =>
        ex.Status == 412 || (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists);

    private BlobClient Blob(string path) => _container.GetBlobClient(ArtifactPath.Normalize(path));
}

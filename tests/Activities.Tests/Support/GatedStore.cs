using Rlhf.Core.Artifacts;

namespace Rlhf.Activities.Tests.Support;

/// <summary>
/// A real store whose first write of one path waits until the test opens the gate: it holds a caller (a
/// <c>SubmitJob</c>) at an exact point of its work while the test does something else (a cancel).
/// </summary>
internal sealed class GatedStore(IArtifactStore inner, string gatedPath) : IArtifactStore
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a write of the gated path is waiting.</summary>
    public Task Reached => _reached.Task;

    public void Open() => _open.TrySetResult();

    public string Location => inner.Location;

    public Uri GetUri(string path) => inner.GetUri(path);

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => inner.ExistsAsync(path, cancellationToken);

    public Task<ArtifactRef?> GetRefAsync(string path, CancellationToken cancellationToken = default) => inner.GetRefAsync(path, cancellationToken);

    public async Task<ArtifactRef> PutAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        await GateAsync(path);
        return await inner.PutAsync(path, content, cancellationToken);
    }

    public async Task<ArtifactRef> PutFileAsync(string path, string localFile, CancellationToken cancellationToken = default)
    {
        await GateAsync(path);
        return await inner.PutFileAsync(path, localFile, cancellationToken);
    }

    public Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken = default) => inner.ReadAsync(path, cancellationToken);

    public Task DownloadToFileAsync(string path, string localFile, CancellationToken cancellationToken = default) => inner.DownloadToFileAsync(path, localFile, cancellationToken);

    public Task<VersionedContent?> ReadVersionedAsync(string path, CancellationToken cancellationToken = default) => inner.ReadVersionedAsync(path, cancellationToken);

    public async Task<bool> OverwriteAsync(string path, ReadOnlyMemory<byte> content, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        await GateAsync(path);
        return await inner.OverwriteAsync(path, content, ifMatchETag, cancellationToken);
    }

    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeletePrefixAsync(prefix, cancellationToken);

    private async Task GateAsync(string path)
    {
        if (path == gatedPath && _reached.TrySetResult())
        {
            await _open.Task;
        }
    }
}

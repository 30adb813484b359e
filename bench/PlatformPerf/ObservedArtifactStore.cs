using System.Text.Json;
using Rlhf.Activities.Jobs;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Json;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// The host's artifact store, unchanged, plus one observation: when the local job runner writes a trainer's
/// process record (<c>jobs/{jobId}/process.json</c>: once right after the process started, again right after
/// it exited, with the exit code), the time of that write goes on the <see cref="Timeline"/>. That gives the
/// trainer's start→exit on the bench's clock, to the millisecond, without touching the runner.
/// </summary>
public sealed class ObservedArtifactStore(IArtifactStore inner, Timeline timeline) : IArtifactStore
{
    public string Location => inner.Location;

    public Task<bool> OverwriteAsync(string path, ReadOnlyMemory<byte> content, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.StartsWith("jobs/", StringComparison.Ordinal) && path.EndsWith("/process.json", StringComparison.Ordinal)
            && JsonSerializer.Deserialize<JobProcessRecord>(content.Span, JsonDefaults.Options) is { } record)
        {
            if (record.ExitCode is null)
            {
                timeline.TrainerStarted(record.JobId, record.Attempt);
            }
            else
            {
                timeline.TrainerExited(record.JobId, record.Attempt);
            }
        }

        return inner.OverwriteAsync(path, content, ifMatchETag, cancellationToken);
    }

    public Uri GetUri(string path) => inner.GetUri(path);
    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => inner.ExistsAsync(path, cancellationToken);
    public Task<ArtifactRef?> GetRefAsync(string path, CancellationToken cancellationToken = default) => inner.GetRefAsync(path, cancellationToken);
    public Task<ArtifactRef> PutAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => inner.PutAsync(path, content, cancellationToken);
    public Task<ArtifactRef> PutFileAsync(string path, string localFile, CancellationToken cancellationToken = default) => inner.PutFileAsync(path, localFile, cancellationToken);
    public Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken = default) => inner.ReadAsync(path, cancellationToken);
    public Task DownloadToFileAsync(string path, string localFile, CancellationToken cancellationToken = default) => inner.DownloadToFileAsync(path, localFile, cancellationToken);
    public Task<VersionedContent?> ReadVersionedAsync(string path, CancellationToken cancellationToken = default) => inner.ReadVersionedAsync(path, cancellationToken);
    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeletePrefixAsync(prefix, cancellationToken);
}

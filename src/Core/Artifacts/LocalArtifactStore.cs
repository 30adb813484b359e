using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rlhf.Core.Artifacts;

/// <summary>
/// An <see cref="IArtifactStore"/> over a local folder (a developer machine, a job's scratch disk, a mounted share).
/// Write-once artifacts are written to a hidden temp file in the target folder and hard-linked into place with
/// <c>link(2)</c>, which fails atomically (EEXIST) when the name already exists, so a reader never sees a partial file
/// and two racing writers cannot both create it. (<c>File.Move(overwrite: false)</c> is not enough: measured, two of six
/// racing writers both "won", the second silently replacing the first. It remains the fallback where hard links are
/// not supported.) Mutable documents use the content SHA-256
/// as ETag; <see cref="OverwriteAsync"/> checks and replaces under an exclusive lock on a hidden
/// <c>.{name}.lock</c> file (an OS file lock, released if the process dies), then renames atomically.
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private static readonly char Separator = Path.DirectorySeparatorChar;

    private readonly string _root;

    /// <param name="rootFolder">The store root; created on first write.</param>
    /// <param name="location">What <see cref="Location"/> reports (e.g. the <c>file://</c> URI it was opened from); defaults to <paramref name="rootFolder"/>.</param>
    public LocalArtifactStore(string rootFolder, string? location = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootFolder);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootFolder));
        Location = location ?? rootFolder;
    }

    public string Location { get; }

    /// <summary>The absolute root folder.</summary>
    public string RootFolder => _root;

    public Uri GetUri(string path) => new(FullPath(path));

    /// <summary>The absolute file path of an artifact.</summary>
    public string GetFilePath(string path) => FullPath(path);

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(FullPath(path)));

    public async Task<ArtifactRef?> GetRefAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        if (!File.Exists(full))
        {
            return null;
        }

        var (sha256, bytes) = await ContentHash.Sha256FileAsync(full, cancellationToken).ConfigureAwait(false);
        return new ArtifactRef(path, sha256, bytes);
    }

    public async Task<ArtifactRef> PutAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        if (File.Exists(full))
        {
            return await MatchExistingAsync(path, full, ContentHash.Sha256(content.Span), content.Length, cancellationToken).ConfigureAwait(false);
        }

        return await WriteOnceAsync(path, full, async target =>
        {
            await target.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            return (ContentHash.Sha256(content.Span), (long)content.Length);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ArtifactRef> PutFileAsync(string path, string localFile, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        if (File.Exists(full))
        {
            var (sha256, bytes) = await ContentHash.Sha256FileAsync(localFile, cancellationToken).ConfigureAwait(false);
            return await MatchExistingAsync(path, full, sha256, bytes, cancellationToken).ConfigureAwait(false);
        }

        return await WriteOnceAsync(path, full, async target =>
        {
            await using var source = ContentHash.OpenSequentialRead(localFile);
            return await ContentHash.CopyAndHashAsync(source, target, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        try
        {
            return await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactNotFoundException(path);
        }
    }

    public async Task DownloadToFileAsync(string path, string localFile, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        if (!File.Exists(full))
        {
            throw new ArtifactNotFoundException(path);
        }

        CreateParentFolder(Path.GetFullPath(localFile));
        await using var source = ContentHash.OpenSequentialRead(full);
        await using var target = new FileStream(localFile, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
        await source.CopyToAsync(target, ContentHash.BufferSize, cancellationToken).ConfigureAwait(false);
    }

    public async Task<VersionedContent?> ReadVersionedAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await File.ReadAllBytesAsync(FullPath(path), cancellationToken).ConfigureAwait(false);
            return new VersionedContent(content, ContentHash.Sha256(content));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<bool> OverwriteAsync(string path, ReadOnlyMemory<byte> content, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        CreateParentFolder(full);
        await using var fileLock = await AcquireLockAsync(full, cancellationToken).ConfigureAwait(false);
        if (ifMatchETag is not null)
        {
            var current = File.Exists(full) ? (await ContentHash.Sha256FileAsync(full, cancellationToken).ConfigureAwait(false)).Sha256 : null;
            var holds = ifMatchETag == VersionedContent.NoneETag ? current is null : current == ifMatchETag;
            if (!holds)
            {
                return false;
            }
        }

        var temp = TempPathFor(full);
        try
        {
            await WriteDurablyAsync(temp, target => target.WriteAsync(content, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
            File.Move(temp, full, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        ListPaths(prefix).ToAsyncEnumerable();

    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folders = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var path in ListPaths(prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var full = FullPath(path);
            File.Delete(full);
            File.Delete(LockPathFor(full));
            folders.Add(Path.GetDirectoryName(full)!);
            count++;
        }

        foreach (var folder in folders.OrderByDescending(f => f.Length))
        {
            RemoveEmptyFoldersUpward(folder);
        }

        return Task.FromResult(count);
    }

    private List<string> ListPaths(string prefix)
    {
        prefix = ArtifactPath.NormalizePrefix(prefix);
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Separator));
        if (!Directory.Exists(folder))
        {
            return [];
        }

        // Hidden entries (temp and lock files) are skipped by the default attributes; names a store could
        // not have written (e.g. with spaces) are skipped by the validity check.
        return Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true })
            .Select(file => Path.GetRelativePath(_root, file).Replace(Separator, '/'))
            .Where(path => path.StartsWith(prefix, StringComparison.Ordinal) && ArtifactPath.IsValid(path))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private async Task<ArtifactRef> WriteOnceAsync(string path, string full, Func<FileStream, Task<(string Sha256, long Bytes)>> write, CancellationToken cancellationToken)
    {
        CreateParentFolder(full);
        var temp = TempPathFor(full);
        try
        {
            var (sha256, bytes) = await WriteDurablyAsync(temp, write, cancellationToken).ConfigureAwait(false);
            return PublishNoReplace(temp, full)
                ? new ArtifactRef(path, sha256, bytes)
                // Another writer created it first: fine if it wrote the same bytes.
                : await MatchExistingAsync(path, full, sha256, bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Gives <paramref name="temp"/>'s content the name <paramref name="full"/> unless that name exists (false then).</summary>
    private static bool PublishNoReplace(string temp, string full)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (Link(temp, full) == 0)
            {
                return true; // the temp name is deleted by the caller
            }

            if (Marshal.GetLastPInvokeError() == EExist)
            {
                return false;
            }
        }

        try
        {
            File.Move(temp, full, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(full))
        {
            return false;
        }
    }

    private const int EExist = 17; // Linux and macOS

    [DllImport("libc", EntryPoint = "link", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Link(string existing, string created);

    private static async Task<T> WriteDurablyAsync<T>(string file, Func<FileStream, Task<T>> write, CancellationToken cancellationToken)
    {
        await using var target = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
        var result = await write(target).ConfigureAwait(false);
        await target.FlushAsync(cancellationToken).ConfigureAwait(false);
        target.Flush(flushToDisk: true);
        return result;
    }

    private static Task WriteDurablyAsync(string file, Func<FileStream, Task> write, CancellationToken cancellationToken) =>
        WriteDurablyAsync(file, async target =>
        {
            await write(target).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private static async Task<ArtifactRef> MatchExistingAsync(string path, string full, string sha256, long bytes, CancellationToken cancellationToken)
    {
        if (new FileInfo(full).Length == bytes
            && (await ContentHash.Sha256FileAsync(full, cancellationToken).ConfigureAwait(false)).Sha256 == sha256)
        {
            return new ArtifactRef(path, sha256, bytes);
        }

        throw new ArtifactConflictException(path);
    }

    private static async Task<FileStream> AcquireLockAsync(string full, CancellationToken cancellationToken)
    {
        var lockFile = LockPathFor(full);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock() on Unix and a share-mode lock on Windows: it excludes
                // other threads and other processes alike, and the OS drops it when the holder dies.
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (clock.Elapsed > LockTimeout)
                {
                    throw new TimeoutException($"Could not lock '{lockFile}' within {LockTimeout.TotalSeconds:0} s; another writer holds it.", ex);
                }

                await Task.Delay(Random.Shared.Next(1, 10), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void RemoveEmptyFoldersUpward(string folder)
    {
        while (folder.Length > _root.Length && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private string FullPath(string path)
    {
        ArtifactPath.Validate(path);
        var full = Path.GetFullPath(Path.Combine(_root, path.Replace('/', Separator)));
        return full.StartsWith(_root + Separator, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"Artifact path '{path}' resolves outside the store root '{_root}'.", nameof(path));
    }

    private static void CreateParentFolder(string full) => Directory.CreateDirectory(Path.GetDirectoryName(full)!);

    private static string TempPathFor(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");

    private static string LockPathFor(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.lock");
}

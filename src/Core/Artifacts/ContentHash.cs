using System.Buffers;
using System.Security.Cryptography;

namespace Rlhf.Core.Artifacts;

/// <summary>SHA-256 as lowercase hex, the hash every <see cref="ArtifactRef"/> and manifest carries.</summary>
public static class ContentHash
{
    /// <summary>Copy buffer for streaming hashes and writes.</summary>
    internal const int BufferSize = 1 << 20;

    public static string Sha256(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Hashes a stream from its current position to the end; returns the hash and the byte count.</summary>
    public static async Task<(string Sha256, long Bytes)> Sha256Async(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return await CopyAndHashAsync(stream, destination: null, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<(string Sha256, long Bytes)> Sha256FileAsync(string file, CancellationToken cancellationToken = default)
    {
        await using var stream = OpenSequentialRead(file);
        return await Sha256Async(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (when given), hashing on the way: one pass, no full buffering.</summary>
    internal static async Task<(string Sha256, long Bytes)> CopyAndHashAsync(Stream source, Stream? destination, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (destination is not null)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }

    internal static FileStream OpenSequentialRead(string file) =>
        new(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
}

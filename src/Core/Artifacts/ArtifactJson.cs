using System.Text.Json;
using Rlhf.Core.Json;

namespace Rlhf.Core.Artifacts;

/// <summary>A mutable JSON document and the ETag to pass back to <see cref="ArtifactJson.OverwriteJsonAsync{T}"/>.</summary>
public sealed record VersionedJson<T>(T Value, string ETag);

/// <summary>
/// JSON documents in an <see cref="IArtifactStore"/>, always with <see cref="JsonDefaults.Options"/>. Serialisation is
/// deterministic, so writing the same value twice is a write-once no-op. Read errors name the artifact and the line.
/// </summary>
public static class ArtifactJson
{
    /// <summary>Serialises <paramref name="value"/> and writes it once (see <see cref="IArtifactStore.PutAsync"/>).</summary>
    public static Task<ArtifactRef> PutJsonAsync<T>(this IArtifactStore store, string path, T value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.PutAsync(path, Serialize(value), cancellationToken);
    }

    /// <summary>Reads and deserialises a document; <see cref="ArtifactNotFoundException"/> when absent, <see cref="InvalidDataException"/> when malformed.</summary>
    public static async Task<T> ReadJsonAsync<T>(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var content = await store.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        return Deserialize<T>(path, content);
    }

    /// <summary>Reads a mutable document with its ETag, or null when absent.</summary>
    public static async Task<VersionedJson<T>?> ReadVersionedJsonAsync<T>(this IArtifactStore store, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var versioned = await store.ReadVersionedAsync(path, cancellationToken).ConfigureAwait(false);
        return versioned is null ? null : new VersionedJson<T>(Deserialize<T>(path, versioned.Content), versioned.ETag);
    }

    /// <summary>Replaces a mutable document (see <see cref="IArtifactStore.OverwriteAsync"/>); false when the ETag precondition failed.</summary>
    public static Task<bool> OverwriteJsonAsync<T>(this IArtifactStore store, string path, T value, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.OverwriteAsync(path, Serialize(value), ifMatchETag, cancellationToken);
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, JsonDefaults.Options);

    /// <summary>Deserialises <paramref name="content"/>, naming <paramref name="path"/> and the 1-based line and byte in any error.</summary>
    public static T Deserialize<T>(string path, ReadOnlySpan<byte> content)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(content, JsonDefaults.Options)
                ?? throw new InvalidDataException($"Artifact '{path}' holds JSON null, expected {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, byte {ex.BytePositionInLine + 1}" : string.Empty;
            throw new InvalidDataException($"Artifact '{path}' is not valid JSON for {typeof(T).Name}{where}: {ex.Message}", ex);
        }
    }
}

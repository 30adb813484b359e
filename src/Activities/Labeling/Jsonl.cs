using System.Text;
using System.Text.Json;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Json;

namespace Rlhf.Activities.Labeling;

/// <summary>JSON Lines artifacts (one compact <see cref="JsonDefaults"/> document per line, '\n'-terminated).</summary>
public static class Jsonl
{
    public static byte[] Serialize<T>(IEnumerable<T> records)
    {
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.Append(JsonSerializer.Serialize(record, JsonDefaults.Options)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static IReadOnlyList<T> Deserialize<T>(string path, byte[] content)
    {
        var records = new List<T>();
        var lines = Encoding.UTF8.GetString(content).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            try
            {
                records.Add(JsonSerializer.Deserialize<T>(lines[i], JsonDefaults.Options)
                    ?? throw new InvalidDataException($"'{path}' line {i + 1} is null."));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}' line {i + 1} is not a valid {typeof(T).Name}: {e.Message}", e);
            }
        }

        return records;
    }

    /// <summary>Reads a referenced artifact, checking that its content still has the referenced SHA-256.</summary>
    public static async Task<byte[]> ReadVerifiedAsync(IArtifactStore store, ArtifactRef reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(reference);
        var content = await store.ReadAsync(reference.Path, cancellationToken);
        var sha = ContentHash.Sha256(content);
        return sha == reference.Sha256
            ? content
            : throw new InvalidDataException($"'{reference.Path}' has SHA-256 {sha}, but the run references {reference.Sha256}: it changed after it was written.");
    }

    public static async Task<IReadOnlyList<T>> ReadAsync<T>(IArtifactStore store, ArtifactRef reference, CancellationToken cancellationToken = default) =>
        Deserialize<T>(reference.Path, await ReadVerifiedAsync(store, reference, cancellationToken));
}

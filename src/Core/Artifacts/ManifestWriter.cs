using System.Text.Json.Nodes;

namespace Rlhf.Core.Artifacts;

/// <summary>
/// Builds and writes <see cref="StepManifest"/>s. Inputs, outputs and metrics are put in ordinal order so the same
/// step with the same spec and seed always produces byte-identical manifests (and a replayed write is a no-op).
/// </summary>
public static class ManifestWriter
{
    public static StepManifest Build(
        string step,
        string codeVersion,
        IEnumerable<ArtifactRef> inputs,
        IEnumerable<ArtifactRef> outputs,
        JsonNode? spec = null,
        IReadOnlyDictionary<string, double>? metrics = null,
        string? runId = null,
        string? build = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(step);
        ArgumentException.ThrowIfNullOrWhiteSpace(codeVersion);
        return new StepManifest
        {
            Step = step,
            RunId = runId,
            CodeVersion = codeVersion,
            Build = build,
            Inputs = Sorted(inputs),
            Outputs = Sorted(outputs),
            Spec = spec?.DeepClone(),
            Metrics = new SortedDictionary<string, double>(
                (metrics ?? new Dictionary<string, double>()).ToDictionary(),
                StringComparer.Ordinal),
        };
    }

    /// <summary>The references of artifacts already in <paramref name="store"/>; throws <see cref="ArtifactNotFoundException"/> for a missing one.</summary>
    public static async Task<IReadOnlyList<ArtifactRef>> DescribeAsync(IArtifactStore store, IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(paths);
        var refs = new List<ArtifactRef>();
        foreach (var path in paths)
        {
            refs.Add(await store.GetRefAsync(path, cancellationToken).ConfigureAwait(false) ?? throw new ArtifactNotFoundException(path));
        }

        return refs;
    }

    /// <summary>Writes <c>{prefix}/manifest.json</c> once; call it last, since its presence marks the step complete.</summary>
    public static Task<ArtifactRef> WriteAsync(IArtifactStore store, string prefix, StepManifest manifest, CancellationToken cancellationToken = default) =>
        store.PutJsonAsync(StepManifest.PathFor(prefix), manifest, cancellationToken);

    /// <summary>The manifest of a completed step, or null when the step has not completed.</summary>
    public static async Task<StepManifest?> TryReadAsync(IArtifactStore store, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var path = StepManifest.PathFor(prefix);
        return await store.ExistsAsync(path, cancellationToken).ConfigureAwait(false)
            ? await store.ReadJsonAsync<StepManifest>(path, cancellationToken).ConfigureAwait(false)
            : null;
    }

    private static ArtifactRef[] Sorted(IEnumerable<ArtifactRef> refs) =>
        [.. refs.OrderBy(r => r.Path, StringComparer.Ordinal)];
}

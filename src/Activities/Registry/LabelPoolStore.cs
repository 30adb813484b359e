using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Registry;

/// <summary>
/// The label pool pointer <c>registry/label-pool.json</c>. A nightly run advances it to its merged preferences once they
/// exist, whether or not it is promoted and even when a later step fails, so no night's labels (people's above all) fall
/// out of the next night's training by accident. It only moves forward: nightly run ids sort by schedule slot.
/// </summary>
public sealed class LabelPoolStore(IArtifactStore store)
{
    private const int MaxRaces = 20;

    public async Task<LabelPool?> GetAsync(CancellationToken cancellationToken = default) =>
        (await store.ReadVersionedJsonAsync<LabelPool>(ArtifactLayout.LabelPoolPointer, cancellationToken))?.Value;

    /// <summary>Points the pool at run <paramref name="runId"/>'s merged preferences; null (unchanged) when that run merged none.</summary>
    public async Task<LabelPool?> AdvanceAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        if (await store.GetRefAsync(ArtifactLayout.Preferences(runId), cancellationToken) is not { } preferences)
        {
            return null;
        }

        var pool = new LabelPool(runId, preferences);
        for (var race = 0; race < MaxRaces; race++)
        {
            var current = await store.ReadVersionedJsonAsync<LabelPool>(ArtifactLayout.LabelPoolPointer, cancellationToken);
            if (current?.Value is { } known && string.CompareOrdinal(known.RunId, runId) >= 0)
            {
                return known;
            }

            if (await store.OverwriteJsonAsync(ArtifactLayout.LabelPoolPointer, pool, current?.ETag ?? VersionedContent.NoneETag, cancellationToken))
            {
                return pool;
            }
        }

        throw new InvalidOperationException($"Gave up advancing {ArtifactLayout.LabelPoolPointer} to run '{runId}' after {MaxRaces} concurrent updates.");
    }
}

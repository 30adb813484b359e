using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Registry;

/// <summary>
/// The champion pointer <c>registry/champion.json</c>. Promotion is optimistic: read the champion with its
/// ETag, compare, write with that ETag as precondition; when another publisher got there first, read the new
/// champion and compare again. So of racing publishers exactly the best gets through, and a candidate is
/// promoted only when it beats the champion it was compared with by more than the minimum improvement.
/// </summary>
public sealed class ModelRegistry(IArtifactStore store)
{
    private const int MaxRaces = 20;

    public async Task<Champion?> GetChampionAsync(CancellationToken cancellationToken = default) =>
        (await store.ReadVersionedJsonAsync<Champion>(ArtifactLayout.Champion, cancellationToken))?.Value;

    public async Task<PublishResult> PublishIfBetterAsync(Champion candidate, double minImprovement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        for (var race = 0; race < MaxRaces; race++)
        {
            var current = await store.ReadVersionedJsonAsync<Champion>(ArtifactLayout.Champion, cancellationToken);
            if (current?.Value is { } champion)
            {
                if (champion.RunId == candidate.RunId && champion.Policy == candidate.Policy)
                {
                    return new PublishResult(true, "already the champion", candidate.Score, champion.Score);
                }

                if (champion.Metric != candidate.Metric)
                {
                    return new PublishResult(false, $"the champion was measured by {champion.Metric}, the candidate by {candidate.Metric}", candidate.Score, champion.Score);
                }

                if (!(candidate.Score > champion.Score + minImprovement))
                {
                    return new PublishResult(false, $"{candidate.Metric} {candidate.Score:G6} does not beat the champion's {champion.Score:G6} by more than {minImprovement:G6}", candidate.Score, champion.Score);
                }
            }

            if (await store.OverwriteJsonAsync(ArtifactLayout.Champion, candidate, current?.ETag ?? VersionedContent.NoneETag, cancellationToken))
            {
                var reason = current is null
                    ? $"first champion ({candidate.Metric} {candidate.Score:G6})"
                    : $"{candidate.Metric} {candidate.Score:G6} beats {current.Value.Score:G6}";
                return new PublishResult(true, reason, candidate.Score, current?.Value.Score);
            }
        }

        throw new InvalidOperationException($"Gave up promoting run '{candidate.RunId}' after {MaxRaces} concurrent updates of {ArtifactLayout.Champion}.");
    }
}

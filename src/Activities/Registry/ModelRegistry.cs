using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Registry;

/// <summary>
/// The champion pointer <c>registry/champion.json</c>. Promotion is optimistic: read the champion with its
/// ETag, compare, write with that ETag as precondition; when another publisher got there first, read the new
/// champion and compare again. So of racing publishers exactly the best gets through.
/// <para>The gate, both ways (docs/nightly.md):</para>
/// <list type="bullet">
/// <item>no champion yet: promoted (first champion);</item>
/// <item>the champion was measured by another metric: kept, not promoted (the figures are not comparable);</item>
/// <item>the champion has no finite score (a hand-edited pointer): promoted, any finite figure beats none;</item>
/// <item>candidate &gt; champion + minImprovement: promoted;</item>
/// <item>otherwise — a tie included, and a gain of exactly minImprovement — kept, not promoted: the champion stays.</item>
/// </list>
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
            var champion = current?.Value;
            PublishResult Result(bool promoted, string reason) => new(promoted, reason, candidate.Score, champion?.Score)
            {
                Metric = candidate.Metric, MinImprovement = minImprovement, ChampionRunId = champion?.RunId,
            };

            if (champion is not null)
            {
                if (champion.RunId == candidate.RunId && champion.Policy == candidate.Policy)
                {
                    return Result(true, "already the champion");
                }

                if (champion.Metric != candidate.Metric)
                {
                    return Result(false, $"the champion (run {champion.RunId}) was measured by {champion.Metric}, the candidate by {candidate.Metric}");
                }

                if (double.IsFinite(champion.Score) && !(candidate.Score > champion.Score + minImprovement))
                {
                    return Result(false, candidate.Score == champion.Score
                        ? $"{candidate.Metric} {candidate.Score:G6} ties the champion's {champion.Score:G6} (run {champion.RunId}): a tie never promotes"
                        : $"{candidate.Metric} {candidate.Score:G6} does not beat the champion's {champion.Score:G6} (run {champion.RunId}) by more than {minImprovement:G6}");
                }
            }

            if (await store.OverwriteJsonAsync(ArtifactLayout.Champion, candidate, current?.ETag ?? VersionedContent.NoneETag, cancellationToken))
            {
                return champion is null
                    ? Result(true, $"first champion ({candidate.Metric} {candidate.Score:G6})")
                    : Result(true, $"{candidate.Metric} {candidate.Score:G6} beats the champion's {champion.Score:G6} (run {champion.RunId}) by more than {minImprovement:G6}");
            }
        }

        throw new InvalidOperationException($"Gave up promoting run '{candidate.RunId}' after {MaxRaces} concurrent updates of {ArtifactLayout.Champion}.");
    }
}

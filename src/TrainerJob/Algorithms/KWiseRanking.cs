using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>Index pairs into a flat list of items: Chosen (P), Rejected (P), Group (P), all int64.</summary>
/// <param name="Chosen">Index of the preferred item of each pair.</param>
/// <param name="Rejected">Index of the other item.</param>
/// <param name="Group">Which ranking (prompt) the pair came from, 0…G−1.</param>
public sealed record RankingPairs(Tensor Chosen, Tensor Rejected, Tensor Group);

/// <summary>
/// K-wise rankings → C(K, 2) pairwise comparisons (InstructGPT §3.5): every item beats every item
/// ranked below it. All pairs of one prompt form one group, i.e. one batch element of the RM loss.
/// </summary>
public static class KWiseRanking
{
    /// <summary>
    /// Pairs of one ranking (item indices, best first) in order (r0,r1), (r0,r2), …, (r1,r2), …, (r_{K−2}, r_{K−1}).
    /// </summary>
    public static IReadOnlyList<(int Chosen, int Rejected)> Pairs(IReadOnlyList<int> ranking)
    {
        if (ranking.Distinct().Count() != ranking.Count)
        {
            throw new ArgumentException("a ranking lists each item once.", nameof(ranking));
        }

        var pairs = new List<(int, int)>(ranking.Count * (ranking.Count - 1) / 2);
        for (var i = 0; i < ranking.Count; i++)
        {
            for (var j = i + 1; j < ranking.Count; j++)
            {
                pairs.Add((ranking[i], ranking[j]));
            }
        }

        return pairs;
    }

    /// <summary>
    /// Pairs of a batch of rankings over a flat item list where ranking g's K_g items sit at
    /// offsets o_g … o_g + K_g − 1 (o_g = K_0 + … + K_{g−1}) and each ranking holds local indices 0…K_g−1, best first.
    /// The tensors are created on <paramref name="device"/> (CPU when null).
    /// </summary>
    public static RankingPairs Expand(IReadOnlyList<IReadOnlyList<int>> rankings, Device? device = null)
    {
        var chosen = new List<long>();
        var rejected = new List<long>();
        var group = new List<long>();
        var offset = 0L;
        for (var g = 0; g < rankings.Count; g++)
        {
            var ranking = rankings[g];
            if (ranking.Count < 2 || ranking.Any(i => i < 0 || i >= ranking.Count))
            {
                throw new ArgumentException($"ranking {g} must be a permutation of 0…K−1 with K ≥ 2.", nameof(rankings));
            }

            foreach (var (c, r) in Pairs(ranking))
            {
                chosen.Add(offset + c);
                rejected.Add(offset + r);
                group.Add(g);
            }

            offset += ranking.Count;
        }

        return new RankingPairs(
            tensor(chosen.ToArray(), device: device), tensor(rejected.ToArray(), device: device), tensor(group.ToArray(), device: device));
    }
}

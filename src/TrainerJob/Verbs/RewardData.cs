using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Training;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>One prompt's ranked completions, best first: one batch element of the reward-model loss (its C(K,2) pairs).</summary>
public sealed record RankedGroup(string PromptId, string Prompt, IReadOnlyList<string> Items)
{
    /// <summary>C(K, 2) pairwise comparisons of this group.</summary>
    public int PairCount => Items.Count * (Items.Count - 1) / 2;
}

/// <summary>
/// Reads preference JSONL (<see cref="PreferenceRecord"/> lines) into K-wise groups: the lines of one sample set (run and
/// batch, <see cref="PreferenceRecord.SampleSet"/>), prompt, labeler and ranking become one <see cref="RankedGroup"/> with
/// the ranked completions best first (the C(K,2) lines of a K-wise ranking share it). Lines of different sample sets never
/// share a group: a nightly run trains on its own labels and the champion's, and the same prompt labeled on two nights
/// ranks two different sets of completions. Lines without a ranking are groups of two. Splits groups into train /
/// held-out by a hash of the prompt id, so a prompt's comparisons never straddle the split.
/// </summary>
public static class RewardData
{
    /// <summary>Reads the staged file of input <paramref name="inputName"/> and groups its lines; errors name the input and line.</summary>
    public static IReadOnlyList<RankedGroup> Read(string file, string inputName)
    {
        var lines = PreferenceFile.ReadLines(file, inputName);
        return Group([.. lines.Select(l => l.Record)], i => $"inputs.{inputName} line {lines[i].Line}");
    }

    /// <summary>
    /// Groups records as described on <see cref="RewardData"/>, in first-appearance order. A contradiction throws
    /// <see cref="InvalidDataException"/> naming the line by <paramref name="locate"/> (record index → text; default "record N").
    /// </summary>
    public static IReadOnlyList<RankedGroup> Group(IReadOnlyList<PreferenceRecord> records, Func<int, string>? locate = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        locate ??= i => $"record {i + 1}";
        var groups = new List<RankedGroup>();
        var indexed = records.Select((r, i) => (Record: r, Index: i));
        foreach (var lines in indexed.GroupBy(x => KeyOf(x.Record)))
        {
            var first = lines.First().Record;
            var texts = new Dictionary<int, string>();
            foreach (var (line, index) in lines)
            {
                Remember(texts, line.ChosenIndex, line.Chosen, line, locate(index));
                Remember(texts, line.RejectedIndex, line.Rejected, line, locate(index));
                if (line.Ranking.Count > 0 && !RankedAbove(line.Ranking, line.ChosenIndex, line.RejectedIndex))
                {
                    throw new InvalidDataException($"{locate(index)}: preference '{line.Id}': chosen {line.ChosenIndex} is not ranked above rejected {line.RejectedIndex} in [{string.Join(',', line.Ranking)}].");
                }
            }

            IReadOnlyList<int> order = first.Ranking.Count == 0 ? [first.ChosenIndex, first.RejectedIndex] : first.Ranking;
            var missing = order.Where(i => !texts.ContainsKey(i)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidDataException($"{locate(lines.First().Index)}: prompt '{first.PromptId}' of sample set '{first.SampleSet}': ranking [{string.Join(',', order)}] names completion(s) {string.Join(',', missing)} that no line carries.");
            }

            groups.Add(new RankedGroup(first.PromptId, first.Prompt, [.. order.Select(i => texts[i])]));
        }

        return groups;
    }

    /// <summary>The group of a line: its sample set, then the pair (no ranking) or the prompt, labeler and ranking.</summary>
    private static string KeyOf(PreferenceRecord r) => r.Ranking.Count == 0
        ? $"{r.SampleSet}\n{r.Id}\n{r.Labeler}"
        : $"{r.SampleSet}\n{r.PromptId}\n{r.Labeler}\n{string.Join(',', r.Ranking)}";

    /// <summary>
    /// Deterministic split: a group is held out when the first 8 bytes of SHA-256(promptId), as a fraction of 2⁶⁴,
    /// fall below <paramref name="heldoutFraction"/>.
    /// </summary>
    public static (IReadOnlyList<RankedGroup> Train, IReadOnlyList<RankedGroup> Heldout) Split(IReadOnlyList<RankedGroup> groups, double heldoutFraction)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var heldout = groups.Where(g => HashFraction(g.PromptId) < heldoutFraction).ToList();
        return ([.. groups.Except(heldout)], heldout);
    }

    /// <summary>SHA-256 of the UTF-8 id, first 8 bytes big-endian, divided by 2⁶⁴: uniform in [0, 1).</summary>
    public static double HashFraction(string id)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(id));
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash) / 18446744073709551616.0;
    }

    private static bool RankedAbove(IReadOnlyList<int> ranking, int better, int worse)
    {
        var list = ranking.ToList();
        var (b, w) = (list.IndexOf(better), list.IndexOf(worse));
        return b >= 0 && w >= 0 && b < w;
    }

    private static void Remember(Dictionary<int, string> texts, int index, string text, PreferenceRecord line, string where)
    {
        if (texts.TryGetValue(index, out var known) && known != text)
        {
            throw new InvalidDataException($"{where}: preference '{line.Id}': completion {index} differs from the same completion in another line of its ranking (sample set '{line.SampleSet}', labeler '{line.Labeler}').");
        }

        texts[index] = text;
    }
}

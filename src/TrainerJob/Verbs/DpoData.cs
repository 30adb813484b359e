using System.Text.Json;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>The frozen reference's sequence log-probs of every completion, per group (<see cref="DpoGroup.Completions"/> order); the <c>extra</c> state of a DPO checkpoint.</summary>
public sealed record DpoReferenceLogProbs(double[][] Completions);

/// <summary>One line of <c>{output}/reference_logps.jsonl</c>.</summary>
public sealed record DpoReferenceLine(string Id, double Chosen, double Rejected);

/// <summary>A preference line as indices into its group's completions; <paramref name="Record"/> is the line's index in the file.</summary>
public readonly record struct DpoPair(int Chosen, int Rejected, int Record);

/// <summary>
/// One prompt's distinct completions and the preference pairs over them: one batch element of DPO. A K-wise ranking's
/// C(K,2) lines share K completions, so each completion's log-prob is computed once per step instead of K − 1 times.
/// </summary>
public sealed record DpoGroup(string Prompt, IReadOnlyList<string> Completions, IReadOnlyList<DpoPair> Pairs);

/// <summary>Preference pairs for DPO/IPO: reading the JSONL, grouping it by prompt, and the sequence log-probs log π(response | prompt).</summary>
public static class DpoData
{
    /// <summary>Reads <c>PreferenceRecord</c> lines (blank lines skipped); throws naming the first bad line.</summary>
    public static List<PreferenceRecord> Read(string file)
    {
        var records = PreferenceFile.Read(file, DpoVerb.PreferencesInput);
        return records.Count > 0 ? records : throw new InvalidDataException("inputs.preferences has no preference records.");
    }

    /// <summary>
    /// Groups records by prompt (id and text), in first-appearance order; a group's completions are its distinct
    /// response texts, and every record stays one pair (two labelers' votes on the same pair are two pairs).
    /// </summary>
    public static IReadOnlyList<DpoGroup> Group(IReadOnlyList<PreferenceRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var groups = new List<DpoGroup>();
        foreach (var lines in records.Select((r, i) => (Record: r, Index: i)).GroupBy(x => (x.Record.PromptId, x.Record.Prompt)))
        {
            var completions = new List<string>();
            var positions = new Dictionary<string, int>(StringComparer.Ordinal);
            int Position(string text)
            {
                if (!positions.TryGetValue(text, out var position))
                {
                    position = completions.Count;
                    positions[text] = position;
                    completions.Add(text);
                }

                return position;
            }

            var pairs = lines.Select(x => new DpoPair(Position(x.Record.Chosen), Position(x.Record.Rejected), x.Index)).ToList();
            groups.Add(new DpoGroup(lines.Key.Prompt, completions, pairs));
        }

        return groups;
    }

    /// <summary>
    /// Sequence log-probs of every completion of <paramref name="groups"/> (EOS appended, as a completed sample has it)
    /// given its prompt, group by group, from one forward: (N). Summed over response tokens, or averaged when
    /// <paramref name="average"/> (TRL's IPO).
    /// </summary>
    public static Tensor CompletionLogProbs(Gpt model, ITokenizer tokenizer, IReadOnlyList<DpoGroup> groups, int maxLength, bool average)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(groups);
        var texts = groups.SelectMany(g => g.Completions.Select(c => (g.Prompt, c))).ToList();
        var batch = TextBatch.FromText(tokenizer, texts, Math.Min(maxLength, model.Config.NPositions), appendEos: true, model.Device);
        var hidden = model.Hidden(batch.InputIds, batch.AttentionMask);                                   // (N, T, C)
        return LogProbs.MaskedSequence(hidden, model.Logits, batch.Targets, batch.ResponseMask, average);   // (N), head on response positions only
    }

    /// <summary>
    /// Log-probs of the chosen and rejected response of every pair of <paramref name="groups"/>, group by group in pair
    /// order, (P) each, gathered from <see cref="CompletionLogProbs"/>.
    /// </summary>
    public static (Tensor Chosen, Tensor Rejected) PairLogProbs(Gpt model, ITokenizer tokenizer, IReadOnlyList<DpoGroup> groups, int maxLength, bool average)
    {
        ArgumentNullException.ThrowIfNull(model);
        var completions = CompletionLogProbs(model, tokenizer, groups, maxLength, average);                 // (N)
        var (chosen, rejected) = PairIndices(groups);
        return (completions.index_select(0, tensor(chosen, device: model.Device)), completions.index_select(0, tensor(rejected, device: model.Device)));
    }

    /// <summary>The reference's log-probs of every completion, computed once without gradients, <paramref name="batchSize"/> groups at a time.</summary>
    public static DpoReferenceLogProbs Reference(Gpt reference, ITokenizer tokenizer, IReadOnlyList<DpoGroup> groups, DpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(config);
        var result = new List<double[]>(groups.Count);
        for (var start = 0; start < groups.Count; start += config.BatchSize)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var chunk = groups.Skip(start).Take(config.BatchSize).ToList();
            var values = CompletionLogProbs(reference, tokenizer, chunk, config.MaxLength, config.AverageLogProbs).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            var offset = 0;
            foreach (var group in chunk)
            {
                result.Add(values[offset..(offset + group.Completions.Count)]);
                offset += group.Completions.Count;
            }
        }

        return new DpoReferenceLogProbs([.. result]);
    }

    /// <summary>Positions of each pair's chosen and rejected completion in the flattened completions of <paramref name="groups"/>.</summary>
    private static (long[] Chosen, long[] Rejected) PairIndices(IReadOnlyList<DpoGroup> groups)
    {
        var chosen = new List<long>();
        var rejected = new List<long>();
        var offset = 0L;
        foreach (var group in groups)
        {
            chosen.AddRange(group.Pairs.Select(p => offset + p.Chosen));
            rejected.AddRange(group.Pairs.Select(p => offset + p.Rejected));
            offset += group.Completions.Count;
        }

        return ([.. chosen], [.. rejected]);
    }
}

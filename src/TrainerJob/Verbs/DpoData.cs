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

/// <summary>The frozen reference's sequence log-probs of every pair, in file order; the <c>extra</c> state of a DPO checkpoint.</summary>
public sealed record DpoReferenceLogProbs(double[] Chosen, double[] Rejected);

/// <summary>One line of <c>{output}/reference_logps.jsonl</c>.</summary>
public sealed record DpoReferenceLine(string Id, double Chosen, double Rejected);

/// <summary>Preference pairs for DPO/IPO: reading the JSONL and the sequence log-probs log π(response | prompt) of chosen and rejected.</summary>
public static class DpoData
{
    /// <summary>Reads <c>PreferenceRecord</c> lines (blank lines skipped); throws naming the first bad line.</summary>
    public static List<PreferenceRecord> Read(string file)
    {
        var records = PreferenceFile.Read(file, DpoVerb.PreferencesInput);
        return records.Count > 0 ? records : throw new InvalidDataException("inputs.preferences has no preference records.");
    }

    /// <summary>
    /// Sequence log-probs of the chosen and rejected responses (EOS appended, as a completed sample has it) given their
    /// prompt, from one concatenated forward of 2B rows: (B) each. Summed over response tokens, or averaged when
    /// <paramref name="average"/> (TRL's IPO).
    /// </summary>
    public static (Tensor Chosen, Tensor Rejected) SequenceLogProbs(Gpt model, ITokenizer tokenizer, IReadOnlyList<PreferenceRecord> pairs, int maxLength, bool average)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pairs);
        var texts = pairs.Select(p => (p.Prompt, p.Chosen)).Concat(pairs.Select(p => (p.Prompt, p.Rejected))).ToList();
        var batch = TextBatch.FromText(tokenizer, texts, Math.Min(maxLength, model.Config.NPositions), appendEos: true, model.Device);
        var logits = model.Logits(model.Hidden(batch.InputIds, batch.AttentionMask));                    // (2B, T, V)
        var sequence = LogProbs.Sequence(LogProbs.OfTargets(logits, batch.Targets), batch.ResponseMask, average); // (2B)
        return (sequence.narrow(0, 0, pairs.Count), sequence.narrow(0, pairs.Count, pairs.Count));
    }

    /// <summary>The reference's log-probs of every pair, computed once without gradients in chunks of <paramref name="batchSize"/>.</summary>
    public static DpoReferenceLogProbs Reference(Gpt reference, ITokenizer tokenizer, IReadOnlyList<PreferenceRecord> pairs, DpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(config);
        var chosen = new List<double>(pairs.Count);
        var rejected = new List<double>(pairs.Count);
        for (var start = 0; start < pairs.Count; start += config.BatchSize)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var chunk = pairs.Skip(start).Take(config.BatchSize).ToList();
            var (c, r) = SequenceLogProbs(reference, tokenizer, chunk, config.MaxLength, config.AverageLogProbs);
            chosen.AddRange(c.to_type(ScalarType.Float64).cpu().data<double>().ToArray());
            rejected.AddRange(r.to_type(ScalarType.Float64).cpu().data<double>().ToArray());
        }

        return new DpoReferenceLogProbs([.. chosen], [.. rejected]);
    }
}

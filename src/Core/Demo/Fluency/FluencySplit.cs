using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Rlhf.Core.Demo.Fluency;

/// <summary>
/// Carves the fluency judge's text out of the sources so that the policy never trains on it. A paragraph belongs to
/// the judge when SHA-256("fluency/" + paragraph) falls in the lowest <see cref="DemoBuildOptions.FluencyPercent"/>
/// of 100 buckets. Without <see cref="DemoBuildOptions.KeepCorpusWhole"/> those paragraphs leave the corpus (and with
/// it the prompts and references); with it the chosen documents stay whole and the judge takes only its paragraphs of
/// the other documents. The judge's sentences (<see cref="SentenceSplitter"/>), minus any sentence that also occurs
/// in the corpus, are split by SHA-256("fluency-heldout/" + sentence) into the model's text and the held-out
/// calibration sentences; caps keep the sentences with the lowest SHA-256("fluency-cap/" + sentence), in order.
/// </summary>
public sealed record FluencySplit(IReadOnlyList<string> CorpusParagraphs, IReadOnlyList<string> ModelSentences, IReadOnlyList<string> HeldoutSentences)
{
    public static FluencySplit Of(IReadOnlyList<IReadOnlyList<string>> allDocuments, IReadOnlyList<IReadOnlyList<string>> chosenDocuments, DemoBuildOptions options)
    {
        var chosen = chosenDocuments.SelectMany(d => d).ToList();
        var chosenSet = chosen.ToHashSet(StringComparer.Ordinal);
        var corpus = options.KeepCorpusWhole ? chosen : chosen.Where(p => !IsJudgeParagraph(p, options)).ToList();
        var pool = allDocuments.SelectMany(d => d)
            .Where(p => IsJudgeParagraph(p, options) && !(options.KeepCorpusWhole && chosenSet.Contains(p)))
            .ToList();

        var corpusSentences = corpus.SelectMany(SentenceSplitter.Split).ToHashSet(StringComparer.Ordinal);
        var sentences = pool.SelectMany(SentenceSplitter.Split)
            .Where(s => !corpusSentences.Contains(s))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var heldout = sentences.Where(s => Bucket("fluency-heldout/" + s) < (uint)options.FluencyHeldoutPercent).ToList();
        var model = sentences.Where(s => Bucket("fluency-heldout/" + s) >= (uint)options.FluencyHeldoutPercent).ToList();
        return new FluencySplit(corpus, Cap(model, options.MaxFluencySentences), Cap(heldout, options.MaxFluencyHeldoutSentences));
    }

    public static bool IsJudgeParagraph(string paragraph, DemoBuildOptions options) => Bucket("fluency/" + paragraph) < (uint)options.FluencyPercent;

    private static List<string> Cap(List<string> sentences, int? max)
    {
        if (max is null || sentences.Count <= max)
        {
            return sentences;
        }

        var keep = sentences.OrderBy(s => Hash("fluency-cap/" + s)).ThenBy(s => s, StringComparer.Ordinal).Take(max.Value).ToHashSet(StringComparer.Ordinal);
        return sentences.Where(keep.Contains).ToList();
    }

    private static uint Bucket(string text) => Hash(text) % 100;

    private static uint Hash(string text) => BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

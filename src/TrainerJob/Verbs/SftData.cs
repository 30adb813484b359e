using Rlhf.Core.Demo;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>
/// The SFT corpus as one token stream: documents (paragraphs or sentences, see <see cref="DocumentSplit"/>) each
/// followed by EOS, so the model learns where a document ends. The last <c>heldoutFraction</c> of the stream is held out. Training batches
/// are random windows drawn with the job's generator; held-out windows are fixed and non-overlapping.
/// </summary>
public sealed class SftData : IDisposable
{
    private readonly Tensor _train;   // (Ntrain) int64
    private readonly Tensor _heldout; // (Nheldout) int64
    private readonly Tensor _offsets; // (blockSize + 1) int64: 0..blockSize

    public SftData(string text, ITokenizer tokenizer, int blockSize, double heldoutFraction, DocumentSplit split = DocumentSplit.Paragraph)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var ids = new List<long>();
        foreach (var document in Documents(text, split))
        {
            ids.AddRange(tokenizer.Encode(document).Select(i => (long)i));
            ids.Add(tokenizer.EosId);
        }

        var heldout = Math.Max(blockSize + 1, (int)Math.Round(ids.Count * heldoutFraction));
        if (ids.Count - heldout < blockSize + 1)
        {
            throw new InvalidDataException(
                $"The corpus has {ids.Count} tokens; with blockSize {blockSize} and heldoutFraction {heldoutFraction} it needs at least {heldout + blockSize + 1}.");
        }

        BlockSize = blockSize;
        TokenCount = ids.Count;
        _train = tensor(ids.GetRange(0, ids.Count - heldout).ToArray());
        _heldout = tensor(ids.GetRange(ids.Count - heldout, heldout).ToArray());
        _offsets = arange(blockSize + 1, dtype: ScalarType.Int64);
    }

    public int BlockSize { get; }

    /// <summary>The documents of <paramref name="text"/> in order: paragraphs, or (<see cref="DocumentSplit.Sentence"/>) each paragraph's sentences with its line breaks as spaces.</summary>
    public static IEnumerable<string> Documents(string text, DocumentSplit split)
    {
        ArgumentNullException.ThrowIfNull(text);
        var paragraphs = text.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return split == DocumentSplit.Sentence
            ? paragraphs.SelectMany(p => SentenceSplitter.Split(p.Replace('\n', ' ')))
            : paragraphs;
    }

    public long TokenCount { get; }

    public long HeldoutTokens => _heldout.shape[0];

    /// <summary>A training batch of <paramref name="batchSize"/> random windows: inputs and next-token targets, (B, T) int64 each.</summary>
    public (Tensor Inputs, Tensor Targets) Batch(int batchSize, Generator generator)
    {
        var starts = randint(0, _train.shape[0] - BlockSize, [batchSize], dtype: ScalarType.Int64, generator: generator); // (B)
        return Windows(_train, starts);
    }

    /// <summary>Up to <paramref name="maxWindows"/> consecutive non-overlapping held-out windows, (W, T) each.</summary>
    public (Tensor Inputs, Tensor Targets) Heldout(int maxWindows)
    {
        var count = Math.Min(maxWindows, (_heldout.shape[0] - 1) / BlockSize);
        return Windows(_heldout, arange(count, dtype: ScalarType.Int64) * BlockSize);
    }

    public void Dispose()
    {
        _train.Dispose();
        _heldout.Dispose();
        _offsets.Dispose();
    }

    private (Tensor Inputs, Tensor Targets) Windows(Tensor stream, Tensor starts)
    {
        var windows = stream[starts.unsqueeze(1) + _offsets]; // (B, T + 1)
        return (windows[.., ..^1], windows[.., 1..]);
    }
}

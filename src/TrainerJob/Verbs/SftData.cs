using Rlhf.Core.Demo;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>
/// The SFT corpus as one token stream: documents (paragraphs or sentences, see <see cref="DocumentSplit"/>) each
/// followed by EOS, so the model learns where a document ends; or (<see cref="FromPairs"/>) prompt/response pairs, each
/// prompt + response + EOS, with the prompt's tokens never a target (their targets are <see cref="IgnoredTarget"/>), so
/// the model learns the responses, not the prompts. The last <c>heldoutFraction</c> of the stream is held out. Training
/// batches are random windows drawn with the job's generator; held-out windows are fixed and non-overlapping.
/// </summary>
public sealed class SftData : IDisposable
{
    /// <summary>The target of a token that is not trained on (cross-entropy's default <c>ignore_index</c>).</summary>
    public const long IgnoredTarget = -100;

    private readonly Tensor _train;          // (Ntrain) int64: the inputs
    private readonly Tensor _trainTargets;   // (Ntrain) int64: the same ids, IgnoredTarget where not trained
    private readonly Tensor _heldout;        // (Nheldout) int64
    private readonly Tensor _heldoutTargets; // (Nheldout) int64
    private readonly Tensor _offsets;        // (blockSize + 1) int64: 0..blockSize

    public SftData(string text, ITokenizer tokenizer, int blockSize, double heldoutFraction, DocumentSplit split = DocumentSplit.Paragraph)
        : this(Stream(Documents(text ?? throw new ArgumentNullException(nameof(text)), split).Select(d => ("", d)), tokenizer), blockSize, heldoutFraction)
    {
    }

    private SftData((List<long> Ids, List<long> Targets) stream, int blockSize, double heldoutFraction)
    {
        var (ids, targets) = stream;
        var heldout = Math.Max(blockSize + 1, (int)Math.Round(ids.Count * heldoutFraction));
        if (ids.Count - heldout < blockSize + 1)
        {
            throw new InvalidDataException(
                $"The corpus has {ids.Count} tokens; with blockSize {blockSize} and heldoutFraction {heldoutFraction} it needs at least {heldout + blockSize + 1}.");
        }

        BlockSize = blockSize;
        TokenCount = ids.Count;
        TrainedTokenCount = targets.Count(t => t != IgnoredTarget);
        _train = tensor(ids.GetRange(0, ids.Count - heldout).ToArray());
        _trainTargets = tensor(targets.GetRange(0, ids.Count - heldout).ToArray());
        _heldout = tensor(ids.GetRange(ids.Count - heldout, heldout).ToArray());
        _heldoutTargets = tensor(targets.GetRange(ids.Count - heldout, heldout).ToArray());
        _offsets = arange(blockSize + 1, dtype: ScalarType.Int64);
    }

    /// <summary>Prompt/response pairs in order, each prompt + response + EOS; only the response and its EOS are targets.</summary>
    public static SftData FromPairs(IEnumerable<(string Prompt, string Response)> pairs, ITokenizer tokenizer, int blockSize, double heldoutFraction)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return new SftData(Stream(pairs, tokenizer), blockSize, heldoutFraction);
    }

    private static (List<long> Ids, List<long> Targets) Stream(IEnumerable<(string Prompt, string Response)> documents, ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var (ids, targets) = (new List<long>(), new List<long>());
        foreach (var (prompt, response) in documents)
        {
            var promptIds = prompt.Length == 0 ? new List<long>() : tokenizer.Encode(prompt).Select(i => (long)i).ToList();
            ids.AddRange(promptIds);
            targets.AddRange(promptIds.Select(_ => IgnoredTarget));
            var trained = tokenizer.Encode(response).Select(i => (long)i).Append(tokenizer.EosId).ToList();
            ids.AddRange(trained);
            targets.AddRange(trained);
        }

        return (ids, targets);
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

    /// <summary>Tokens of the stream that are targets (all of a text corpus; a pair's response and EOS).</summary>
    public long TrainedTokenCount { get; }

    /// <summary>A training batch of <paramref name="batchSize"/> random windows: inputs and next-token targets, (B, T) int64 each.</summary>
    public (Tensor Inputs, Tensor Targets) Batch(int batchSize, Generator generator)
    {
        var starts = randint(0, _train.shape[0] - BlockSize, [batchSize], dtype: ScalarType.Int64, generator: generator); // (B)
        return Windows(_train, _trainTargets, starts);
    }

    /// <summary>Up to <paramref name="maxWindows"/> consecutive non-overlapping held-out windows, (W, T) each.</summary>
    public (Tensor Inputs, Tensor Targets) Heldout(int maxWindows)
    {
        var count = Math.Min(maxWindows, (_heldout.shape[0] - 1) / BlockSize);
        return Windows(_heldout, _heldoutTargets, arange(count, dtype: ScalarType.Int64) * BlockSize);
    }

    public void Dispose()
    {
        _train.Dispose();
        _trainTargets.Dispose();
        _heldout.Dispose();
        _heldoutTargets.Dispose();
        _offsets.Dispose();
    }

    private (Tensor Inputs, Tensor Targets) Windows(Tensor stream, Tensor targets, Tensor starts)
    {
        var positions = starts.unsqueeze(1) + _offsets;       // (B, T + 1)
        return (stream[positions][.., ..^1], targets[positions][.., 1..]);
    }
}

using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Tests.Model;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Training;

public sealed class TextBatchTests
{
    private const int Pad = 257;
    private const int Eos = 256;

    [Fact]
    public void RowsAreRightPaddedAndTheResponseMaskMarksThePositionsThatPredictResponseTokens()
    {
        // Row 0: prompt [10, 11, 12], response [20, 21]  → T = 5, no padding.
        // Row 1: prompt [30],         response [40]      → [30, 40, PAD, PAD, PAD].
        using var scope = NewDisposeScope();
        var batch = TextBatch.FromTokens([[10, 11, 12], [30]], [[20, 21], [40]], Pad, maxLength: 16);

        Assert.Equal(new long[] { 10, 11, 12, 20, 21, 30, 40, Pad, Pad, Pad }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, batch.AttentionMask.data<long>().ToArray());
        // logits[:, t] predicts InputIds[:, t + 1]: row 0 positions 2 and 3 predict 20 and 21; row 1 position 0 predicts 40.
        Assert.Equal(new long[] { 11, 12, 20, 21, Pad, 40, Pad, Pad, Pad, Pad }, batch.Targets.data<long>().ToArray());
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 1, 0, 0, 0, 0 }, batch.ResponseMask.data<float>().ToArray());
        Assert.Equal(new long[] { 4, 1 }, batch.LastTokenIndex.data<long>().ToArray());
        Assert.Equal([3, 1], batch.PromptLengths);
        Assert.Equal([2, 1], batch.ResponseLengths);
    }

    [Fact]
    public void ResponseLogProbsFromTheMaskEqualTheSumOfHandPickedLogitPositions()
    {
        using var scope = NewDisposeScope();
        var model = TinyGpt.Create(seed: 3);
        var batch = TextBatch.FromTokens([[10, 11, 12], [30]], [[20, 21], [40]], Pad, maxLength: 16);

        var logits = model.Logits(model.Hidden(batch.InputIds, batch.AttentionMask));           // (2, 5, V)
        var sequence = LogProbs.Sequence(LogProbs.OfTargets(logits, batch.Targets), batch.ResponseMask); // (2)

        var logSoftmax = logits.log_softmax(-1);
        var row0 = logSoftmax[0, 2, 20].item<float>() + logSoftmax[0, 3, 21].item<float>();
        var row1 = logSoftmax[1, 0, 40].item<float>();
        Assert.Equal(row0, sequence[0].item<float>(), 4);
        Assert.Equal(row1, sequence[1].item<float>(), 4);
    }

    [Fact]
    public void LongRowsLoseThePromptFromTheLeftThenTheResponseFromTheRight()
    {
        using var scope = NewDisposeScope();
        var batch = TextBatch.FromTokens([[1, 2, 3, 4, 5], [6, 7]], [[8, 9], [10, 11, 12, 13, 14, 15]], Pad, maxLength: 4);

        // Row 0 keeps prompt [4, 5] + response [8, 9]; row 1 keeps prompt [7] + response [10, 11, 12].
        Assert.Equal(new long[] { 4, 5, 8, 9, 7, 10, 11, 12 }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new float[] { 0, 1, 1, 0, 1, 1, 1, 0 }, batch.ResponseMask.data<float>().ToArray());
        Assert.Equal([2, 1], batch.PromptLengths);
        Assert.Equal([2, 3], batch.ResponseLengths);
    }

    [Fact]
    public void TextPairsAppendEosAndAnEmptyPromptStartsFromEos()
    {
        using var scope = NewDisposeScope();
        var batch = TextBatch.FromText(new ByteTokenizer(), [("", "hi"), ("ab", "c")], maxLength: 32);

        Assert.Equal(new long[] { Eos, 'h', 'i', Eos, 'a', 'b', 'c', Eos }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new float[] { 1, 1, 1, 0, 0, 1, 1, 0 }, batch.ResponseMask.data<float>().ToArray());
        Assert.Equal(new long[] { 3, 3 }, batch.LastTokenIndex.data<long>().ToArray());
    }
}

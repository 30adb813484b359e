using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Verbs;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Verbs;

public sealed class SftDataTests
{
    private const string Corpus = "Call me Ishmael. Some years ago, Mr. Starbuck\nsailed. Did he?\n\nIt is a way I have. \"Go!\" she said.";

    [Fact]
    public void ParagraphSplitEndsEachParagraphWithEos()
    {
        Assert.Equal(
            ["Call me Ishmael. Some years ago, Mr. Starbuck\nsailed. Did he?", "It is a way I have. \"Go!\" she said."],
            SftData.Documents(Corpus, DocumentSplit.Paragraph));
    }

    [Fact]
    public void SentenceSplitEndsEachSentenceWithEosSoTheModelLearnsToStopAfterASentence()
    {
        var tokenizer = new ByteTokenizer();
        string[] sentences = ["Call me Ishmael.", "Some years ago, Mr. Starbuck sailed.", "Did he?", "It is a way I have.", "\"Go!\" she said."];
        Assert.Equal(sentences, SftData.Documents(Corpus, DocumentSplit.Sentence));

        // The token stream is sentence, EOS, sentence, EOS, ...: the held-out half is the stream's tail, and its window's
        // targets put EOS right after each sentence's last byte.
        var expected = sentences.SelectMany(s => tokenizer.Encode(s).Select(i => (long)i).Append(tokenizer.EosId)).ToArray();
        var blockSize = (expected.Length / 2) - 1;
        using var scope = NewDisposeScope();
        using var data = new SftData(Corpus, tokenizer, blockSize, heldoutFraction: 0.5, DocumentSplit.Sentence);
        Assert.Equal(expected.Length, data.TokenCount);
        var (inputs, targets) = data.Heldout(maxWindows: 1);
        var tail = expected[^(int)data.HeldoutTokens..][..(blockSize + 1)];
        Assert.Equal(tail[..^1], inputs[0].data<long>().ToArray());
        Assert.Equal(tail[1..], targets[0].data<long>().ToArray());
        Assert.Equal(sentences.Length, expected.Count(id => id == tokenizer.EosId));
    }

    [Fact]
    public void PairsPutEachPromptBeforeItsResponseAndEosButNeverAsATarget()
    {
        var tokenizer = new ByteTokenizer();
        (string, string)[] pairs = [("Hi", " yo."), ("Ah", " so."), ("Oh", " no.")];
        using var scope = NewDisposeScope();
        using var data = SftData.FromPairs(pairs, tokenizer, blockSize: 9, heldoutFraction: 0.01);

        // Stream: H i ␣ y o . EOS A h ␣ s o . EOS O h ␣ n o . EOS (21 tokens); the last 10 are held out (blockSize + 1),
        // so the held-out window is "o . EOS O h ␣ n o . EOS": "O" and "h" are prompt tokens, never targets, the rest are.
        Assert.Equal((21L, 15L), (data.TokenCount, data.TrainedTokenCount));
        var (inputs, targets) = data.Heldout(maxWindows: 1);
        long Byte(char c) => tokenizer.Encode(c.ToString())[0];
        var eos = tokenizer.EosId;
        Assert.Equal(new[] { Byte('o'), Byte('.'), eos, Byte('O'), Byte('h'), Byte(' '), Byte('n'), Byte('o'), Byte('.') }, inputs[0].data<long>().ToArray());
        Assert.Equal(new[] { Byte('.'), eos, SftData.IgnoredTarget, SftData.IgnoredTarget, Byte(' '), Byte('n'), Byte('o'), Byte('.'), eos }, targets[0].data<long>().ToArray());
    }

    [Fact]
    public void SftRejectsAnUnknownDocumentSplit()
    {
        var ex = Assert.Throws<JobSpecException>(() => new SftConfig { DocumentSplit = (DocumentSplit)7 }.Validate(hasPolicy: false));
        Assert.Contains("params.documentSplit", ex.Message, StringComparison.Ordinal);
    }
}

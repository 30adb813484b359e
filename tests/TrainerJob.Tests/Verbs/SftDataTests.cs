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
    public void SftRejectsAnUnknownDocumentSplit()
    {
        var ex = Assert.Throws<JobSpecException>(() => new SftConfig { DocumentSplit = (DocumentSplit)7 }.Validate(hasPolicy: false));
        Assert.Contains("params.documentSplit", ex.Message, StringComparison.Ordinal);
    }
}

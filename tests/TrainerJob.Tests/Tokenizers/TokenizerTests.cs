using Rlhf.TrainerJob.Tokenizers;

namespace Rlhf.TrainerJob.Tests.Tokenizers;

public sealed class TokenizerTests
{
    [Fact]
    public void Byte_tokenizer_round_trips_non_ascii_text_as_utf8_bytes()
    {
        var tokenizer = new ByteTokenizer();

        var ids = tokenizer.Encode("né 😊");

        Assert.Equal(new[] { 110, 0xC3, 0xA9, 32, 0xF0, 0x9F, 0x98, 0x8A }, ids);
        Assert.Equal("né 😊", tokenizer.Decode(ids));
        Assert.Equal((258, 256, 257), (tokenizer.VocabSize, tokenizer.EosId, tokenizer.PadId));
    }

    [Fact]
    public void Byte_tokenizer_decodes_specials_away_and_broken_utf8_leniently()
    {
        var tokenizer = new ByteTokenizer();

        Assert.Equal("hi", tokenizer.Decode([104, 105, 256, 257, 257]));
        Assert.Equal("a\uFFFD", tokenizer.Decode([97, 0xF0, 0x9F]));            // a truncated 4-byte character
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([300]));
    }

    [Fact]
    public void Gpt2_bpe_matches_the_original_gpt2_ids()
    {
        var tokenizer = new Gpt2BpeTokenizer();

        Assert.Equal(new[] { 15496, 995 }, tokenizer.Encode("Hello world"));
        Assert.Equal((50257, 50256, 50256), (tokenizer.VocabSize, tokenizer.EosId, tokenizer.PadId));
        Assert.Equal("Hello world", tokenizer.Decode([15496, 995, 50256, 50256]));
        Assert.Equal("Grüße, 世界!", tokenizer.Decode(tokenizer.Encode("Grüße, 世界!")));
    }

    [Fact]
    public void Descriptor_file_names_the_tokenizer_and_the_factory_recreates_it()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rlhf-tok-").FullName, TokenizerFactory.DescriptorFileName);
        try
        {
            TokenizerFactory.Save(new Gpt2BpeTokenizer(), path);

            Assert.Equal("""{"type":"gpt2"}""", File.ReadAllText(path));
            Assert.IsType<Gpt2BpeTokenizer>(TokenizerFactory.Load(path));
            Assert.IsType<ByteTokenizer>(TokenizerFactory.FromName("byte"));
            Assert.Contains("known: byte, gpt2, words", Assert.Throws<ArgumentException>(() => TokenizerFactory.FromName("llama")).Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Word_tokenizer_keeps_frequent_words_whole_and_spells_the_rest_in_bytes()
    {
        // " the" ×3, " whale" ×2, "The" ×2, " sea" ×1 (below minCount 2), "a" is a single letter (bytes cover it).
        var tokenizer = WordVocabTokenizer.Build("The whale, the sea.\nThe whale; the a the", maxWords: 10, minCount: 2);

        Assert.Equal([" the", " whale", "The"], tokenizer.Words);                              // by count, then ordinal
        Assert.Equal((261, 256, 257), (tokenizer.VocabSize, tokenizer.EosId, tokenizer.PadId));
        var ids = tokenizer.Encode("The whale, thé sea");
        Assert.Equal(new int[] { 260, 259, ',', ' ', 't', 'h', 0xC3, 0xA9, ' ', 's', 'e', 'a' }, ids);      // " thé" and " sea" in bytes
        Assert.Equal("The whale, thé sea", tokenizer.Decode(ids));
        Assert.Equal(" the whale", tokenizer.Decode([258, 256, 259, 257]));                 // EOS and PAD decode to nothing
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([261]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  double  spaces and\ttabs\n")]
    [InlineData("Ahab's 100 whales — 😊 naïve ZZZ!")]
    [InlineData(" the the the")]
    public void Word_tokenizer_round_trips_any_text(string text)
    {
        var tokenizer = WordVocabTokenizer.Build("the whale and the sea and Ahab and the ship", maxWords: 3, minCount: 1);

        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Word_tokenizer_vocabulary_travels_in_the_descriptor()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rlhf-tok-").FullName, TokenizerFactory.DescriptorFileName);
        try
        {
            var built = (WordVocabTokenizer)TokenizerFactory.ForCorpus("words", "call me Ishmael, call me Ishmael", vocabWords: 8);
            TokenizerFactory.Save(built, path);

            Assert.Equal("""{"type":"words","words":[" Ishmael"," me"]}""", File.ReadAllText(path));
            var loaded = Assert.IsType<WordVocabTokenizer>(TokenizerFactory.Load(path));
            Assert.Equal(built.Encode("call me Ishmael!"), loaded.Encode("call me Ishmael!"));
            Assert.IsType<ByteTokenizer>(TokenizerFactory.ForCorpus("byte", "ignored", vocabWords: 8));
            Assert.Contains("built from a corpus", Assert.Throws<ArgumentException>(() => TokenizerFactory.FromName("words")).Message);

            File.WriteAllText(path, """{"type":"words","words":[" me","x y"]}""");
            Assert.Contains("entry 1 ('x y') is not a word piece", Assert.Throws<FormatException>(() => TokenizerFactory.Load(path)).Message);
            File.WriteAllText(path, """{"type":"words"}""");
            Assert.Contains("lacks its \"words\" array", Assert.Throws<FormatException>(() => TokenizerFactory.Load(path)).Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}

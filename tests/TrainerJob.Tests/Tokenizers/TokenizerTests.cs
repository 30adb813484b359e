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
            Assert.Contains("known: byte, gpt2", Assert.Throws<ArgumentException>(() => TokenizerFactory.FromName("llama")).Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}

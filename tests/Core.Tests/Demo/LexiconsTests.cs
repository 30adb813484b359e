using Rlhf.Core.Demo;

namespace Rlhf.Core.Tests.Demo;

public sealed class LexiconsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lexicons-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Loads_the_committed_lexicons()
    {
        var lexicons = Lexicons.Load(TinyData.Lexicons);

        Assert.Equal(3, lexicons.Afinn["good"]);
        Assert.Equal(-3, lexicons.Afinn["cruel"]);
        Assert.Contains("gentle", lexicons.LiuPositive);
        Assert.Contains("hateful", lexicons.LiuNegative);
        Assert.Contains("sailor", lexicons.EasyWords);
        Assert.Contains("the", lexicons.Stopwords);
        Assert.True(lexicons.Afinn.Count > 2400 && lexicons.EasyWords.Count > 2900 && lexicons.LiuNegative.Count > 4700);
    }

    [Fact]
    public void Malformed_valence_names_the_file_and_line()
    {
        var path = Write(Lexicons.AfinnFile, "# header\ngood\t3\nbad\tthree\n");

        var error = Assert.Throws<LexiconFormatException>(() => Lexicons.ReadAfinn(path));

        Assert.StartsWith($"{path}:3:", error.Message, StringComparison.Ordinal);
        Assert.Contains("three", error.Message, StringComparison.Ordinal);
        Assert.Equal((path, 3), (error.Path, error.Line));
    }

    [Theory]
    [InlineData("good\t3\nawful -3\n", 2, "entry<TAB>valence")]
    [InlineData("good\t9\n", 1, "[-5, 5]")]
    [InlineData("Good\t3\n", 1, "lower-case")]
    public void Other_afinn_errors_name_the_line(string content, int line, string expected)
    {
        var path = Write(Lexicons.AfinnFile, content);

        var error = Assert.Throws<LexiconFormatException>(() => Lexicons.ReadAfinn(path));

        Assert.StartsWith($"{path}:{line}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_word_names_both_lines()
    {
        var path = Write(Lexicons.EasyWordsFile, "able\n\nboat\nable\n");

        var error = Assert.Throws<LexiconFormatException>(() => Lexicons.ReadWordList(path));

        Assert.Equal($"{path}:4: duplicate entry 'able' (first on line 1)", error.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var error = Assert.Throws<LexiconFormatException>(() => Lexicons.Load(_dir));

        Assert.Contains(Path.Combine(_dir, Lexicons.AfinnFile), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_then_load_round_trips()
    {
        var original = Lexicons.Load(TinyData.Lexicons);

        original.Save(_dir);
        var reloaded = Lexicons.Load(_dir);

        Assert.Equal(original.Afinn.OrderBy(kv => kv.Key, StringComparer.Ordinal), reloaded.Afinn.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.True(original.LiuNegative.SetEquals(reloaded.LiuNegative));
        Assert.Equal(File.ReadAllText(Path.Combine(TinyData.Lexicons, Lexicons.EasyWordsFile)), File.ReadAllText(Path.Combine(_dir, Lexicons.EasyWordsFile)));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}

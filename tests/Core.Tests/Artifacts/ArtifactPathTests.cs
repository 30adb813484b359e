using Rlhf.Core.Artifacts;

namespace Rlhf.Core.Tests.Artifacts;

public sealed class ArtifactPathTests
{
    [Theory]
    [InlineData("manifest.json")]
    [InlineData("runs/ppo-1-20250101T000000Z/ppo/model.safetensors")]
    [InlineData("runs/r1/samples/shard=3/part-0001.jsonl")]
    [InlineData("a/b_c/D-9.e")]
    public void Accepts_relative_slash_separated_names(string path)
    {
        Assert.Equal(path, ArtifactPath.Normalize(path));
        Assert.True(ArtifactPath.IsValid(path));
    }

    [Theory]
    [InlineData("../x", "'..'")]
    [InlineData("/abs", "absolute")]
    [InlineData("a/../b", "'..'")]
    [InlineData("a/./b", "'.'")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/b/", "empty segment")]
    [InlineData("a/.hidden", "'.hidden'")]
    [InlineData("a/b c", "character ' '")]
    [InlineData("a/b:c", "character ':'")]
    [InlineData("a/\u00e9t\u00e9", "character")]
    [InlineData("a/b\nc", "U+000A")]
    public void Rejects_unsafe_names_naming_path_and_segment(string path, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => ArtifactPath.Validate(path));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains(path.Replace("\n", "\\u000A", StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
        Assert.False(ArtifactPath.IsValid(path));
    }

    [Fact]
    public void Rejects_empty_and_over_long_names()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => ArtifactPath.Validate("")).Message, StringComparison.Ordinal);
        Assert.True(ArtifactPath.IsValid(new string('a', ArtifactPath.MaxLength)));
        Assert.Contains("1025", Assert.Throws<ArgumentException>(() => ArtifactPath.Validate(new string('a', ArtifactPath.MaxLength + 1))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefixes_may_be_empty_or_end_with_a_slash()
    {
        Assert.Equal("", ArtifactPath.NormalizePrefix(""));
        Assert.Equal("runs/r1/", ArtifactPath.NormalizePrefix("runs/r1/"));
        Assert.Equal("runs/r", ArtifactPath.NormalizePrefix("runs/r"));
        Assert.Throws<ArgumentException>(() => ArtifactPath.NormalizePrefix("runs/../"));
        Assert.Throws<ArgumentException>(() => ArtifactPath.NormalizePrefix("/"));
    }

    [Fact]
    public void Combine_joins_with_one_slash_and_validates()
    {
        Assert.Equal("runs/r1/ppo/status.json", ArtifactPath.Combine("runs/r1/ppo/", "status.json"));
        Assert.Equal("runs/r1/ppo/status.json", ArtifactPath.Combine("runs/r1/ppo", "status.json"));
        Assert.Equal("status.json", ArtifactPath.Combine("", "status.json"));
        Assert.Throws<ArgumentException>(() => ArtifactPath.Combine("runs", "../x"));
    }
}

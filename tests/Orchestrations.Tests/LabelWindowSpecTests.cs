using System.Text.Json.Nodes;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations.Tests;

/// <summary><c>labeling.window</c>: parsed into the spec, and a bad value is reported at its JSON path.</summary>
public sealed class LabelWindowSpecTests
{
    [Fact]
    public void TheWindowIsReadFromTheSpecAndUnboundedByDefault()
    {
        var bounded = RunSpec.Parse("""{ "name": "n", "labeling": { "window": { "nights": 3, "maxComparisons": 500 } } }""");
        var unbounded = RunSpec.Parse("""{ "name": "n" }""");

        Assert.Equal(new LabelWindowSpec { Nights = 3, MaxComparisons = 500 }, bounded.Labeling.Window);
        Assert.Equal(new LabelWindowSpec(), unbounded.Labeling.Window);
    }

    [Theory]
    [InlineData("""{ "nights": -1 }""", "$.labeling.window.nights")]
    [InlineData("""{ "maxComparisons": "many" }""", "$.labeling.window.maxComparisons")]
    [InlineData("""{ "night": 2 }""", "$.labeling.window.night")]
    public void ABadWindowIsReportedAtItsPath(string window, string path)
    {
        var errors = RunSpecValidator.Validate(JsonNode.Parse($$"""{ "name": "n", "labeling": { "window": {{window}} } }"""));

        Assert.Equal(path, Assert.Single(errors).Path);
    }
}

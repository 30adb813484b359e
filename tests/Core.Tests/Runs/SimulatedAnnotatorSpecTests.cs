using System.Text.Json.Nodes;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Tests.Runs;

/// <summary><c>labeling.simulated.annotators</c>: binding, defaults, and every error reported at its JSON path.</summary>
public sealed class SimulatedAnnotatorSpecTests
{
    private const string Panel = """
        [ { "name": "plain", "targetAgreement": 0.7 },
          { "name": "verbose", "lengthBias": 1.5 },
          { "name": "warm", "temperature": 0.2, "positionBias": -0.5, "weights": { "sentiment": 3, "plainness": 0 } } ]
        """;

    [Fact]
    public void PanelBindsWithDefaultsAndValidatesClean()
    {
        var json = Spec(Panel);

        var spec = RunSpec.Parse(json);

        Assert.Empty(RunSpecValidator.Validate(JsonNode.Parse(json)));
        var annotators = spec.Labeling.Simulated.Annotators;
        Assert.Equal(["plain", "verbose", "warm"], annotators.Select(a => a.Name));
        Assert.Equal((0.7, null, 0.0, 0.0), (annotators[0].TargetAgreement, annotators[0].Temperature, annotators[0].LengthBias, annotators[0].PositionBias));
        Assert.Equal(1.5, annotators[1].LengthBias);
        Assert.Equal([3.0, 0, 1, 1, 1, 1], annotators[2].Weights.InOrder());
        Assert.Equal([1.0, 1, 1, 1, 1, 1], annotators[1].Weights.InOrder());
        Assert.Empty(RunSpec.Parse("""{ "name": "x" }""").Labeling.Simulated.Annotators);
    }

    [Theory]
    [InlineData("""[ { "lengthBias": 1 } ]""", "$.labeling.simulated.annotators[0].name", "Required")]
    [InlineData("""[ { "name": "a" }, { "name": "b c" } ]""", "$.labeling.simulated.annotators[1].name", "must be 1-64 characters")]
    [InlineData("""[ { "name": "a", "lengthBias": 11 } ]""", "$.labeling.simulated.annotators[0].lengthBias", "out of range")]
    [InlineData("""[ { "name": "a", "positonBias": 1 } ]""", "$.labeling.simulated.annotators[0].positonBias", "Unknown field")]
    [InlineData("""[ { "name": "a", "weights": { "sentiment": -1 } } ]""", "$.labeling.simulated.annotators[0].weights.sentiment", "out of range")]
    [InlineData("""[ { "name": "a" }, 3 ]""", "$.labeling.simulated.annotators[1]", "Expected an object")]
    [InlineData("""{ "name": "a" }""", "$.labeling.simulated.annotators", "Expected an array")]
    [InlineData("""[ { "name": "a" }, { "name": "A" } ]""", "$.labeling.simulated.annotators[1].name", "unique")]
    [InlineData("""[ { "name": "a", "targetAgreement": 0.7, "temperature": 1 } ]""", "$.labeling.simulated.annotators[0].temperature", "not both")]
    [InlineData("""[ { "name": "a", "weights": { "sentiment": 0, "plainness": 0, "onTopic": 0, "harsh": 0, "wordSalad": 0, "degeneracy": 0 } } ]""", "$.labeling.simulated.annotators[0].weights", "Every weight is 0")]
    public void BadPanelIsReportedAtItsPath(string annotators, string path, string message)
    {
        var error = Assert.Single(RunSpecValidator.Validate(JsonNode.Parse(Spec(annotators))));

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnnotatorsPerComparisonMustMatchThePanelWhenGiven()
    {
        var mismatch = Assert.Single(RunSpecValidator.Validate(JsonNode.Parse(Spec(Panel, annotatorsPerComparison: 2))));
        Assert.Equal("$.labeling.annotatorsPerComparison", mismatch.Path);
        Assert.Contains("lists 3", mismatch.Message, StringComparison.Ordinal);

        Assert.Empty(RunSpecValidator.Validate(JsonNode.Parse(Spec(Panel, annotatorsPerComparison: 3))));
    }

    [Fact]
    public void AtMostNineAnnotators()
    {
        var ten = $"[{string.Join(',', Enumerable.Range(0, 10).Select(i => $$"""{ "name": "a{{i}}" }"""))}]";

        var error = Assert.Single(RunSpecValidator.Validate(JsonNode.Parse(Spec(ten))));

        Assert.Equal(("$.labeling.simulated.annotators", "10 annotators: at most 9."), (error.Path, error.Message));
    }

    private static string Spec(string annotators, int? annotatorsPerComparison = null) =>
        $$"""{ "name": "x", "labeling": { {{(annotatorsPerComparison is { } n ? $"\"annotatorsPerComparison\": {n}, " : "")}}"simulated": { "annotators": {{annotators}} } } }""";
}

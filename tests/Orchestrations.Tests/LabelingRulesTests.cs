using System.Text.Json.Nodes;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations.Tests;

/// <summary>The labeling rules that span fields (routing by principle, the reminder webhook) and specs built in code.</summary>
public sealed class LabelingRulesTests
{
    private static IReadOnlyList<SpecError> Validate(string labeling) =>
        RunSpecValidator.Validate(JsonNode.Parse($$"""{ "name": "x", "labeling": {{labeling}} }"""));

    [Fact]
    public void RoutingByPrincipleParsesAndValidatesClean()
    {
        const string labeling = """{ "mode": "mixed", "aiPrinciples": ["harmless"], "human": { "notifyUrlSetting": "LABELING_WEBHOOK_URL" } }""";

        var spec = RunSpec.Parse($$"""{ "name": "x", "labeling": {{labeling}} }""");

        Assert.Empty(Validate(labeling));
        Assert.True(spec.Labeling.RoutesByPrinciple);
        Assert.Equal(LabelingMode.Human, LabelComparisons.ModeOf(spec.Labeling, 7)); // people see every batch
    }

    [Theory]
    [InlineData("""{ "mode": "mixed", "aiPrinciples": ["harmles"] }""", "$.labeling.aiPrinciples[0]", "not a principle")]
    [InlineData("""{ "mode": "mixed", "aiPrinciples": ["harmless", "harmless"] }""", "$.labeling.aiPrinciples[1]", "listed twice")]
    [InlineData("""{ "mode": "mixed", "aiPrinciples": ["kind"] }""", "$.labeling.aiPrinciples[0]", "weight 0")]
    [InlineData("""{ "mode": "ai", "aiPrinciples": ["harmless"] }""", "$.labeling.aiPrinciples", "mode mixed")]
    [InlineData("""{ "mode": "mixed", "aiPrinciples": ["helpful", "harmless", "honest"] }""", "$.labeling.aiPrinciples", "nothing to judge")]
    [InlineData("""{ "human": { "notifyUrlSetting": "https://hooks.example/T0/B0/xyz" } }""", "$.labeling.human.notifyUrlSetting", "not a setting name")]
    [InlineData("""{ "human": { "timeoutMinutes": 0 } }""", "$.labeling.human.timeoutMinutes", "")]
    public void EachBadLabelingFieldIsNamed(string labeling, string path, string message)
    {
        var error = Assert.Single(Validate(labeling));

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWeightGivenInTheSpecCountsForRouting()
    {
        Assert.Empty(Validate("""{ "mode": "mixed", "aiPrinciples": ["kind"], "ai": { "principles": { "kind": 2 } } }"""));
    }

    [Fact]
    public void ASpecBuiltInCodeWithIntegerNodesValidates()
    {
        var spec = new JsonObject
        {
            ["name"] = "coded",
            ["seed"] = 3,
            ["sampling"] = new JsonObject { ["k"] = 2, ["temperature"] = 1, ["promptLimit"] = 8, ["shards"] = 9 },
            ["labeling"] = new JsonObject { ["humanFraction"] = 1, ["human"] = new JsonObject { ["timeoutMinutes"] = 5 } },
        };

        var errors = RunSpecValidator.Validate(spec);

        Assert.Equal(["$.sampling.shards"], errors.Select(e => e.Path)); // 9 shards for 8 prompts; the numbers themselves are fine
    }
}

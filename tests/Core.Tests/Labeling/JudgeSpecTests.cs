using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Tests.Labeling;

/// <summary>The judge settings of the run spec: validated like the rest of the spec and read back as written.</summary>
public sealed class JudgeSpecTests
{
    private const string Labeling = """
        { "name": "judges", "labeling": { "mode": "ai", "ai": { "judge": "azureOpenAi",
          "principles": { "helpful": 2, "harmless": 1, "honest": 0, "kind": 0.25 },
          "azureOpenAi": { "deployment": "prod-judge", "maxAttempts": 3 },
          "rouge": { "references": "datasets/demo/references.jsonl" } } } }
        """;

    [Fact]
    public void JudgeSettingsValidateAndRoundTrip()
    {
        Assert.DoesNotContain(RunSpecValidator.Validate(JsonNode.Parse(Labeling)), e => e.Path.StartsWith("$.labeling", StringComparison.Ordinal));
        var spec = JsonSerializer.Deserialize<RunSpec>(Labeling, JsonDefaults.Options)!.Labeling.Ai;
        Assert.Equal(AiJudgeKind.AzureOpenAi, spec.Judge);
        Assert.Equal(["helpful", "harmless", "kind"], spec.Principles.Weighted().Select(p => p.Key));
        Assert.Equal(("prod-judge", 3), (spec.AzureOpenAi.Deployment, spec.AzureOpenAi.MaxAttempts));
        Assert.Equal("datasets/demo/references.jsonl", spec.Rouge.References);
    }

    [Fact]
    public void BadJudgeSettingsAreReportedWithTheirPath()
    {
        var doc = JsonNode.Parse(Labeling)!;
        doc["labeling"]!["ai"]!["principles"]!["harmless"] = JsonNode.Parse("-1");
        doc["labeling"]!["ai"]!["azureOpenAi"]!["maxAttempts"] = JsonNode.Parse("0");
        doc["labeling"]!["ai"]!["judge"] = "gpt";
        var paths = RunSpecValidator.Validate(doc).Select(e => e.Path).ToList();
        Assert.Contains("$.labeling.ai.principles.harmless", paths);
        Assert.Contains("$.labeling.ai.azureOpenAi.maxAttempts", paths);
        Assert.Contains("$.labeling.ai.judge", paths);
    }

    [Theory]
    [InlineData("endpoint", "\"https://evil.example/\"")]
    [InlineData("apiKeySetting", "\"AzureWebJobsStorage\"")]
    public void ASpecCannotChooseAnEndpointOrAKeySetting(string field, string value)
    {
        var doc = JsonNode.Parse(Labeling)!;
        doc["labeling"]!["ai"]!["azureOpenAi"]![field] = JsonNode.Parse(value);

        var error = Assert.Single(RunSpecValidator.Validate(doc));

        Assert.Equal($"$.labeling.ai.azureOpenAi.{field}", error.Path);
        Assert.StartsWith($"Unknown field '{field}'", error.Message, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations.Tests;

public sealed class RunSpecValidatorTests
{
    private static IReadOnlyList<SpecError> Validate(string json) => RunSpecValidator.Validate(JsonNode.Parse(json));

    private static SpecError Single(string json)
    {
        var errors = Validate(json);
        return Assert.Single(errors);
    }

    [Theory]
    [InlineData("tiny.json")]
    [InlineData("demo.json")]
    [InlineData("nightly.json")]
    public void SampleConfigsValidateCleanAndParse(string file)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "configs", file));

        var errors = RunSpecValidator.Validate(JsonNode.Parse(json, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip }));
        var spec = RunSpec.Parse(json);

        Assert.Empty(errors);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Name);
        Assert.Equal(BasePolicySource.Train, spec.BasePolicy.Source);
        Assert.Equal(JobRunnerKind.Local, spec.Compute.Runner);
    }

    [Fact]
    public void MinimalSpecGetsEveryDefault()
    {
        var spec = RunSpec.Parse("""{ "name": "x" }""");

        Assert.Equal(4, spec.Sampling.K);
        Assert.Equal(0.73, spec.Labeling.Simulated.TargetAgreement);
        Assert.Equal(LabelingMode.Simulated, spec.Labeling.Mode);
        Assert.Equal(PolicyAlgorithm.Ppo, spec.Policy.Algorithm);
        Assert.Equal(3, spec.Compute.MaxAttempts);
        Assert.Equal("datasets/tiny/prompts.train.jsonl", spec.Datasets.TrainPrompts);
    }

    [Fact]
    public void UnknownFieldIsReportedWithItsPathAndASuggestion()
    {
        var error = Single("""{ "name": "x", "sampling": { "K": 4 } }""");

        Assert.Equal("$.sampling.K", error.Path);
        Assert.Contains("Did you mean 'k'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongTypeIsReported() =>
        Assert.Equal("$.sampling.k", Single("""{ "name": "x", "sampling": { "k": "4" } }""").Path);

    [Fact]
    public void NonIntegerIsReported() =>
        Assert.Contains("integer", Single("""{ "name": "x", "sampling": { "shards": 1.5 } }""").Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("2.0")]
    [InlineData("4e0")]
    [InlineData("2E0")]
    public void IntegersWithAFractionOrExponentAreRefusedLikeTheReaderRefusesThem(string written)
    {
        var json = $$"""{ "name": "x", "sampling": { "shards": {{written}} } }""";

        Assert.Equal("$.sampling.shards", Single(json).Path);
        Assert.Throws<RunSpecException>(() => RunSpec.Parse(json));
    }

    [Fact]
    public void DuplicateKeysAreRefusedAtParse()
    {
        var error = Assert.Single(Assert.Throws<RunSpecException>(() => RunSpec.Parse("""{ "name": "x", "seed": 1, "seed": 2 }""")).Errors);

        Assert.Contains("seed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deployment", "x y")]
    [InlineData("deployment", "")]
    public void JudgeDeploymentIsAShortIdentifier(string field, string value)
    {
        var doc = JsonNode.Parse("""{ "name": "x", "labeling": { "ai": { "azureOpenAi": {} } } }""")!;
        doc["labeling"]!["ai"]!["azureOpenAi"]![field] = value;

        Assert.Equal($"$.labeling.ai.azureOpenAi.{field}", Assert.Single(RunSpecValidator.Validate(doc)).Path);
    }

    [Fact]
    public void HugeValuesAreNotEchoedBack()
    {
        var doc = JsonNode.Parse("""{ "name": "x", "policy": {} }""")!;
        doc["policy"]!["algorithm"] = new string('p', 500_000);
        doc["labeling"] = new JsonObject { ["human"] = new JsonObject { ["notifyUrlSetting"] = new string('s', 500_000) } };

        var errors = RunSpecValidator.Validate(doc);

        Assert.Equal(["$.labeling.human.notifyUrlSetting", "$.policy.algorithm"], errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.True(e.Message.Length < 300, e.Message));
    }

    [Fact]
    public void OutOfRangeIsReported()
    {
        var error = Single("""{ "name": "x", "sampling": { "k": 1 } }""");

        Assert.Equal("$.sampling.k", error.Path);
        Assert.Equal("1 is out of range: must be >= 2 and <= 16.", error.Message);
    }

    [Fact]
    public void ExclusiveLowerBoundIsReported() =>
        Assert.Equal("$.sampling.temperature", Single("""{ "name": "x", "sampling": { "temperature": 0 } }""").Path);

    [Fact]
    public void UnknownEnumValueListsTheAllowedOnes()
    {
        var error = Single("""{ "name": "x", "labeling": { "mode": "robots" } }""");

        Assert.Equal("$.labeling.mode", error.Path);
        Assert.Equal("'robots' is not one of simulated | ai | human | mixed.", error.Message);
    }

    [Fact]
    public void EnumSpellingsFollowTheDocs()
    {
        var spec = RunSpec.Parse("""{ "name": "x", "compute": { "runner": "azureml" }, "labeling": { "human": { "onTimeout": "fallbackToAi" } } }""");

        Assert.Equal(JobRunnerKind.AzureMl, spec.Compute.Runner);
        Assert.Equal(HumanTimeoutPolicy.FallbackToAi, spec.Labeling.Human.OnTimeout);
        Assert.Equal("$.compute.runner", Single("""{ "name": "x", "compute": { "runner": "azureMl" } }""").Path);
    }

    [Fact]
    public void MissingRequiredFieldIsReported() =>
        Assert.Equal(new SpecError("$.name", "Required field is missing."), Single("{}"));

    [Fact]
    public void NullIsRejectedWhereTheFieldIsNotOptional() =>
        Assert.Equal("$.datasets.trainPrompts", Single("""{ "name": "x", "datasets": { "trainPrompts": null } }""").Path);

    [Fact]
    public void StorePathsMayNotEscapeTheStore() =>
        Assert.Equal("$.datasets.corpus", Single("""{ "name": "x", "datasets": { "corpus": "../etc/passwd" } }""").Path);

    [Fact]
    public void SectionOfTheWrongKindIsReported() =>
        Assert.Equal("$.compute", Single("""{ "name": "x", "compute": 3 }""").Path);

    [Fact]
    public void PassThroughParamsMustBeObjects() =>
        Assert.Equal("$.policy.ppo", Single("""{ "name": "x", "policy": { "ppo": [1] } }""").Path);

    [Fact]
    public void CheckpointSourceNeedsACheckpoint() =>
        Assert.Equal("$.basePolicy.checkpoint", Single("""{ "name": "x", "basePolicy": { "source": "checkpoint" } }""").Path);

    [Fact]
    public void MoreShardsThanPromptsIsReported() =>
        Assert.Equal("$.sampling.shards", Single("""{ "name": "x", "sampling": { "shards": 8, "promptLimit": 4 } }""").Path);

    [Fact]
    public void BadDeviceAndNameAreReported()
    {
        Assert.Equal("$.compute.device", Single("""{ "name": "x", "compute": { "device": "gpu" } }""").Path);
        Assert.Equal("$.name", Single("""{ "name": "my run!" }""").Path);
    }

    [Fact]
    public void RootThatIsNotAnObjectIsOneError()
    {
        Assert.Equal("$", Assert.Single(RunSpecValidator.Validate(JsonNode.Parse("[1, 2]"))).Path);
        Assert.Equal("$", Assert.Single(RunSpecValidator.Validate(null)).Path);
    }

    [Fact]
    public void EveryErrorIsReturnedAtOnce()
    {
        var errors = Validate("""
            {
              "seed": -1,
              "extra": true,
              "sampling": { "k": 0, "topP": 2, "maxNewTokens": "many" },
              "labeling": { "mode": "crowd", "batchSize": 0 },
              "publish": { "enabled": "yes" },
              "compute": { "maxAttempts": 0, "device": "tpu" }
            }
            """);

        Assert.Equal(
            new[]
            {
                "$.compute.device", "$.compute.maxAttempts", "$.extra", "$.labeling.batchSize", "$.labeling.mode", "$.name",
                "$.publish.enabled", "$.sampling.k", "$.sampling.maxNewTokens", "$.sampling.topP", "$.seed",
            },
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ParseThrowsWithEveryError()
    {
        var ex = Assert.Throws<RunSpecException>(() => RunSpec.Parse("""{ "sampling": { "k": 0 } }"""));

        Assert.Equal(["$.name", "$.sampling.k"], ex.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Contains("$.sampling.k: 0 is out of range", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseReportsMalformedJsonAsAnError()
    {
        var ex = Assert.Throws<RunSpecException>(() => RunSpec.Parse("{ \"name\": "));

        Assert.Equal("$", Assert.Single(ex.Errors).Path);
    }

    [Fact]
    public void SerializedSpecValidatesAndRoundTrips()
    {
        var spec = RunSpec.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "configs", "demo.json")));

        var again = RunSpec.Parse(spec.ToJson());

        Assert.Equal(spec.ToJson(), again.ToJson());
    }
}

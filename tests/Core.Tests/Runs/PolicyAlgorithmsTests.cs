using System.Text.Json.Nodes;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Tests.Runs;

public sealed class PolicyAlgorithmsTests
{
    [Fact]
    public void EveryAlgorithmHasOneRowWithItsOwnVerbStepAndParameterBlock()
    {
        var rows = Enum.GetValues<PolicyAlgorithm>().Select(PolicyAlgorithms.For).ToList();

        Assert.Equal(Enum.GetValues<PolicyAlgorithm>(), rows.Select(r => r.Algorithm));
        Assert.Equal(rows.Count, rows.Select(r => r.Verb).Distinct().Count());
        Assert.Equal(rows.Count, rows.Select(r => r.Step).Distinct().Count());
        Assert.All(rows, r => Assert.Contains(r.Verb, JobVerbs.All));
        Assert.All(rows, r => Assert.Equal($"policy.{r.Step}", r.ParamsField));
        // each row reads its own block of the spec
        var policy = new PolicySpec
        {
            Ppo = new JsonObject { ["which"] = "ppo" },
            Dpo = new JsonObject { ["which"] = "dpo" },
            Grpo = new JsonObject { ["which"] = "grpo" },
            Rloo = new JsonObject { ["which"] = "rloo" },
        };
        Assert.All(rows, r => Assert.Equal(r.Step, r.Params(policy)["which"]!.GetValue<string>()));
        Assert.Equal([PolicyAlgorithm.Dpo], rows.Where(r => r.Signal == PolicySignal.Preferences).Select(r => r.Algorithm));
    }

    [Fact]
    public void AnAlgorithmOutsideTheTableIsAnErrorNotAFallThrough()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PolicyAlgorithms.For((PolicyAlgorithm)99));

        Assert.Contains("no row in the algorithm table", error.Message, StringComparison.Ordinal);
        Assert.Null(PolicyAlgorithms.ForStep("sft"));
        Assert.Equal(PolicyAlgorithm.Grpo, PolicyAlgorithms.ForStep("grpo")!.Algorithm);
    }

    [Fact]
    public void StagesAndStepsComeInPipelineOrder()
    {
        Assert.Equal(["base-policy", "sl-cai", "samples", "labels", "reward", "policy", "evaluate", "publish"], PipelineStages.All.Select(PipelineStages.Name));
        Assert.Equal(["sft", "sl-cai", "samples", "labels", "reward", "ppo", "dpo", "grpo", "rloo", "evaluate"], StepNames.InOrder);
        Assert.Equal("samples/shard-3", StepNames.SampleShard(3));
    }

    [Theory]
    [InlineData("grpo", true)]
    [InlineData("rloo", true)]
    [InlineData("reinforce", false)]
    public void TheValidatorAcceptsExactlyTheTablesAlgorithms(string algorithm, bool valid)
    {
        var errors = RunSpecValidator.Validate(JsonNode.Parse($$"""{ "name": "x", "policy": { "algorithm": "{{algorithm}}" } }"""));

        Assert.Equal(valid, !errors.Any(e => e.Path == "$.policy.algorithm"));
    }
}

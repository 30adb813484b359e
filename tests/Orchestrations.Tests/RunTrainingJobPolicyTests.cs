using System.Text.Json.Nodes;
using Microsoft.DurableTask.Converters;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// The two budgets of a job, from the run spec to <see cref="JobPolicy"/>, and the monitor's ContinueAsNew state of a
/// history written before lost attempts existed.
/// </summary>
public sealed class RunTrainingJobPolicyTests
{
    private const string Spec = """{ "name": "p", "compute": { "maxAttempts": 2, "maxLostAttempts": 4 } }""";

    [Fact]
    public void BothBudgetsComeFromTheRunSpec()
    {
        var policy = JobPolicy.From(RunSpec.Parse(Spec).Compute);
        var defaults = JobPolicy.From(RunSpec.Parse("""{ "name": "p" }""").Compute);

        Assert.Equal((2, 4), (policy.MaxAttempts, policy.MaxLostAttempts));
        Assert.Equal((3, 10), (defaults.MaxAttempts, defaults.MaxLostAttempts));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("\"many\"")]
    public void AMaxLostAttemptsOutOfRangeIsAnErrorNamingTheField(string value)
    {
        var errors = RunSpecValidator.Validate(JsonNode.Parse($$"""{ "name": "p", "compute": { "maxLostAttempts": {{value}} } }"""));

        Assert.Equal("$.compute.maxLostAttempts", Assert.Single(errors).Path);
    }

    [Fact]
    public void AMonitorStateFromBeforeLostAttemptsReadsWithTheirDefaults()
    {
        var converter = JsonDataConverter.Default;
        var input = new RunTrainingJobInput(
            JobSpecs.Sft("run1", "/store", RunSpec.Parse(Spec)),
            new JobPolicy(2, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)) { MaxLostAttempts = 4 })
        {
            Attempt = 2,
            Failures = ["attempt 1: exited with code 1 without a manifest"],
            LostAttempts = 0,
        };
        var old = JsonNode.Parse(converter.Serialize(input)!)!.AsObject();
        Assert.True(old.Remove("LostAttempts") | old.Remove("lostAttempts"), old.ToJsonString());
        var policy = (old["Policy"] ?? old["policy"])!.AsObject();
        Assert.True(policy.Remove("MaxLostAttempts") | policy.Remove("maxLostAttempts"), policy.ToJsonString());

        var read = converter.Deserialize<RunTrainingJobInput>(old.ToJsonString())!;

        Assert.Equal((2, 0, 1), (read.Attempt, read.LostAttempts, read.FailedAttempts)); // its failures were the job's own
        Assert.Equal((2, 10), (read.Policy.MaxAttempts, read.Policy.MaxLostAttempts));
    }
}

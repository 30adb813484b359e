using System.Text.Json.Nodes;
using Rlhf.Activities.Jobs.AzureMl;
using Rlhf.AzureMl.Tests.Support;
using Rlhf.Core.Runs;

namespace Rlhf.AzureMl.Tests;

/// <summary>
/// <c>compute.azureml</c> is hostile input that goes into ARM URL paths and a job's command line: each field is checked for
/// Azure's shape with its JSON path, then resolved against the host's defaults and allowed registries.
/// </summary>
public sealed class AzureMlSpecTests
{
    private static IReadOnlyList<SpecError> Validate(JsonObject azureml, string runner = "azureml") =>
        RunSpecValidator.Validate(new JsonObject { ["name"] = "x", ["compute"] = new JsonObject { ["runner"] = runner, ["azureml"] = azureml } });

    [Theory]
    [InlineData("subscriptionId", "not-a-guid")]
    [InlineData("subscriptionId", "8f7c2f4e-4b9a-4d51-9b1e-3c2d6a0f1e42/../../other")]
    [InlineData("resourceGroup", "rg/../../providers/x")]
    [InlineData("resourceGroup", "ends-with-a-dot.")]
    [InlineData("workspace", "ws?api-version=evil")]
    [InlineData("workspace", "ab")]
    [InlineData("compute", "gpu cluster")]
    [InlineData("compute", "a-compute-name-longer-than-16")]
    [InlineData("instanceType", "Standard_NC4; rm -rf /")]
    [InlineData("image", "rlhf-trainer:latest")]
    [InlineData("image", "crtest.azurecr.io/rlhf-trainer:latest; curl evil")]
    [InlineData("image", "crtest.azurecr.io/Upper/Case")]
    [InlineData("timeout", "4 hours")]
    [InlineData("timeout", "PT30S")]
    [InlineData("timeout", "P8D")]
    [InlineData("timeout", "-PT1H")]
    [InlineData("timeout", "P1Y")]
    public void AMalformedFieldIsRefusedWithItsPath(string field, string value)
    {
        var error = Assert.Single(Validate(new JsonObject { [field] = value }));

        Assert.Equal($"$.compute.azureml.{field}", error.Path);
    }

    [Fact]
    public void WellFormedFieldsPass() =>
        Assert.Empty(Validate(new JsonObject
        {
            ["subscriptionId"] = "8f7c2f4e-4b9a-4d51-9b1e-3c2d6a0f1e42",
            ["resourceGroup"] = "rg-rlhf_prod(1)",
            ["workspace"] = "mlw-prod",
            ["compute"] = "gpu-cluster",
            ["instanceType"] = "Standard_NC24ads_A100_v4",
            ["image"] = "crprod.azurecr.io/team/rlhf-trainer:1.2.3@sha256:" + new string('a', 64),
            ["timeout"] = "P1DT12H30M",
        }));

    [Fact]
    public void TheSectionIsRefusedWithTheLocalRunnerAndUnknownFieldsAnywhere()
    {
        Assert.Equal("$.compute.azureml", Assert.Single(Validate(new JsonObject { ["workspace"] = "mlw-prod" }, runner: "local")).Path);
        Assert.Equal("$.compute.azureml.endpoint", Assert.Single(Validate(new JsonObject { ["endpoint"] = "https://evil.example/" })).Path);
    }

    [Fact]
    public void ASpecThatSaysOnlyAzureMlTakesEverythingFromTheHostAndItsTimeoutFromTheJobTimeout()
    {
        var options = new AzureMlOptions();
        StandInWorkspace.Default.Configure(options, new Uri("https://management.azure.com/"));
        var spec = RunSpec.Parse("""{ "name": "x", "compute": { "runner": "azureml", "jobTimeoutMinutes": 90 } }""");

        var (target, errors) = AzureMlTarget.Resolve(spec.Compute.AzureMlForJobs(), options);

        Assert.Empty(errors);
        Assert.Equal(
            new AzureMlTarget(StandInWorkspace.Default.SubscriptionId, "rg-rlhf-test", "mlw-test", "gpu-cluster", "Standard_NC4as_T4_v3", StandInWorkspace.Default.Image, TimeSpan.FromMinutes(90)),
            target);
        Assert.Equal($"{StandInWorkspace.Default.Id}/computes/gpu-cluster", target!.ComputeId);
    }

    [Fact]
    public void AValueNeitherTheSpecNorTheHostGivesIsNamedWithTheSettingThatWouldGiveIt()
    {
        var options = new AzureMlOptions { Image = "crtest.azurecr.io/rlhf-trainer:1" };
        var spec = RunSpec.Parse("""{ "name": "x", "compute": { "runner": "azureml", "azureml": { "workspace": "mlw-other" } } }""");

        var errors = AzureMlTarget.FindErrors(spec, options);

        Assert.Equal(["$.compute.azureml.subscriptionId", "$.compute.azureml.resourceGroup", "$.compute.azureml.compute"], errors.Select(e => e.Path));
        Assert.Contains("Rlhf:AzureMl:SubscriptionId", errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnImageMayComeOnlyFromARegistryTheHostAllows()
    {
        var options = new AzureMlOptions();
        StandInWorkspace.Default.Configure(options, new Uri("https://management.azure.com/"));
        options.AllowedRegistries.Add("crshared.azurecr.io");
        AzureMlSpec With(string image) => new() { Image = image, Timeout = "PT1H" };

        Assert.Empty(AzureMlTarget.Resolve(With("crshared.azurecr.io/rlhf-trainer:2"), options).Errors);
        Assert.Empty(AzureMlTarget.Resolve(With("crtest.azurecr.io/rlhf-trainer:other"), options).Errors); // the default image's registry
        var refused = Assert.Single(AzureMlTarget.Resolve(With("evil.example.com/rlhf-trainer:2"), options).Errors);
        Assert.Equal("$.compute.azureml.image", refused.Path);
        Assert.Contains("crshared.azurecr.io", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadHostSettingsAreRefusedAtStartUpNamingTheSetting()
    {
        var options = new AzureMlOptions { Endpoint = new Uri("http://management.azure.com/"), Workspace = "w/x", ClientId = "nope" };
        options.AllowedRegistries.Add("https://registry");

        var errors = options.FindErrors();

        Assert.Contains(errors, e => e.StartsWith("Rlhf:AzureMl:Endpoint:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Rlhf:AzureMl:Workspace:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Rlhf:AzureMl:ClientId:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Rlhf:AzureMl:AllowedRegistries:0:", StringComparison.Ordinal));
        Assert.False(new AzureMlOptions().IsConfigured);
    }

    [Theory]
    [InlineData("run.with.dots-ppo", 1)]
    [InlineData("UPPER_case-job", 12)]
    public void JobNamesAreDeterministicValidAndDistinctPerAttemptAndStore(string jobId, int attempt)
    {
        var name = AzureMlJobNames.Job("https://st.blob.core.windows.net/rlhf", jobId, attempt);

        Assert.True(AzureMlJobNames.IsJobName(name), name);
        Assert.Equal(name, AzureMlJobNames.Job("https://st.blob.core.windows.net/rlhf", jobId, attempt));
        Assert.NotEqual(name, AzureMlJobNames.Job("https://st.blob.core.windows.net/rlhf", jobId, attempt + 1));
        Assert.NotEqual(name, AzureMlJobNames.Job("https://other.blob.core.windows.net/rlhf", jobId, attempt));
        Assert.True(AzureMlJobNames.IsJobName(AzureMlJobNames.Job("s", new string('j', 400), attempt)));
    }
}

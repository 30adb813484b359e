using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.FunctionApp.Nightly;

namespace Rlhf.FunctionApp.Tests;

/// <summary>What <see cref="FunctionAppServices.AddRlhfFunctionApp"/> builds from app settings.</summary>
public sealed class FunctionAppServicesTests
{
    [Fact]
    public void ArtifactStoreOpensTheConfiguredLocation()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-fa-store-").FullName;
        using var services = Build(new() { [FunctionAppSettings.StorageLocation] = folder });

        var store = services.GetRequiredService<IArtifactStore>();

        Assert.IsType<LocalArtifactStore>(store);
        Assert.Equal(folder, store.Location);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void MissingStoreLocationNamesTheSetting()
    {
        using var services = Build([]);

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IArtifactStore>());
        Assert.Contains("Rlhf:Storage:Location", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NightlyScheduleMustBeASixFieldCron()
    {
        using var good = Build(new() { ["Rlhf:Nightly:Schedule"] = "0 30 1 * * *", ["Rlhf:Nightly:Spec"] = "configs/tiny.json" });
        using var bad = Build(new() { ["Rlhf:Nightly:Schedule"] = "30 1 * * *" });

        Assert.Equal("configs/tiny.json", good.GetRequiredService<IOptions<NightlyOptions>>().Value.Spec);
        var error = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<NightlyOptions>>().Value);
        Assert.Contains("six-field cron", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OrchestrationPayloadsUseThePipelineJsonShape()
    {
        using var services = Build([]);
        var serializer = services.GetRequiredService<IOptions<WorkerOptions>>().Value.Serializer!;
        var input = new RlhfRunInput("r1", new RunSpec { Name = "r", Labeling = new LabelingSpec { Mode = LabelingMode.Human } }, "/store");

        var json = serializer.Serialize(input)!.ToString();
        var back = (RlhfRunInput)serializer.Deserialize(new MemoryStream(serializer.Serialize(input)!.ToArray()), typeof(RlhfRunInput), CancellationToken.None)!;

        Assert.Contains("\"runId\":\"r1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"mode\":\"human\"", json, StringComparison.Ordinal);
        Assert.Equal(LabelingMode.Human, back.Spec.Labeling.Mode);
        Assert.Equal("/store", back.Store);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddRlhfFunctionApp(configuration).BuildServiceProvider();
    }
}

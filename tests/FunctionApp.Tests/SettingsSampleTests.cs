using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rlhf.FunctionApp.Tests;

/// <summary><c>local.settings.sample.json</c> names every setting the Function App reads, each with its documentation.</summary>
public sealed partial class SettingsSampleTests
{
    private static readonly JsonObject Sample = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "local.settings.sample.json")))!.AsObject();

    [Fact]
    public void EverySampleValueIsDocumented()
    {
        var docs = Sample["_docs"]!.AsObject();

        Assert.All(Sample["Values"]!.AsObject(), v => Assert.False(string.IsNullOrWhiteSpace((string?)docs[v.Key]), $"'{v.Key}' has no _docs entry"));
    }

    [Fact]
    public void SampleHasEverySettingTheHostAndTheWorkerNeed()
    {
        var values = Sample["Values"]!.AsObject();
        var hostJsonSettings = AppSettingReference().Matches(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json"))).Select(m => m.Groups[1].Value);
        string[] required =
        [
            "AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", FunctionAppSettings.StorageLocation, FunctionAppSettings.NightlySchedule, "Rlhf:Nightly:Spec",
            .. hostJsonSettings,
        ];

        Assert.All(required, name => Assert.True(values.ContainsKey(name), $"'{name}' is missing from Values"));
        Assert.Equal("UseDevelopmentStorage=true", (string?)values["AzureWebJobsStorage"]);
        Assert.Equal("dotnet-isolated", (string?)values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Contains("Rlhf:TaskHub", hostJsonSettings);
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex AppSettingReference();
}

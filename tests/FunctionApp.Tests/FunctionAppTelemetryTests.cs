using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Rlhf.Core.Telemetry;
using Rlhf.Tests.Shared.Telemetry;

namespace Rlhf.FunctionApp.Tests;

/// <summary>
/// The Function App's telemetry: the host exports in OpenTelemetry mode, and the worker exports our spans, the Durable
/// Task SDK's and its own invocation spans to Application Insights when the app settings name it (as infra/bicep does),
/// and registers nothing otherwise.
/// </summary>
public sealed class FunctionAppTelemetryTests
{
    [Fact]
    public void The_host_runs_in_OpenTelemetry_mode()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")))!;

        Assert.Equal("OpenTelemetry", (string?)hostJson["telemetryMode"]);
    }

    [Fact]
    public void Without_an_exporter_setting_nothing_is_registered()
    {
        var services = new ServiceCollection().AddRlhfFunctionAppTelemetry(Configuration([]));

        using var provider = services.BuildServiceProvider();
        Assert.Null(provider.GetService<TracerProvider>());
    }

    [Fact]
    public async Task With_the_connection_string_spans_of_the_pipeline_the_engine_and_the_worker_go_to_application_insights()
    {
        await using var ingestion = new AzureMonitorIngestionStandIn();
        var services = new ServiceCollection().AddRlhfFunctionAppTelemetry(Configuration(new() { [TelemetryExport.AzureMonitorSetting] = ingestion.ConnectionString }));

        using (var provider = services.BuildServiceProvider())
        {
            _ = provider.GetRequiredService<TracerProvider>();
            foreach (var name in new[] { RlhfTelemetry.Name, RlhfTelemetry.DurableTaskSourceName, "Microsoft.Azure.Functions.Worker" })
            {
                using var source = new ActivitySource(name);
                using var span = source.StartActivity($"from {name}", ActivityKind.Server);
                Assert.True(span?.Recorded, $"nothing records spans of {name}");
            }
        }

        var requests = ingestion.Items.Where(i => (string?)i["data"]?["baseType"] == "RequestData").ToList();
        Assert.Equal(
            new[] { RlhfTelemetry.Name, RlhfTelemetry.DurableTaskSourceName, "Microsoft.Azure.Functions.Worker" }.Select(n => $"from {n}").ToHashSet(),
            requests.Select(i => (string)i["data"]!["baseData"]!["name"]!).ToHashSet());
        Assert.Empty(ingestion.Errors);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}

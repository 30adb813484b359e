using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rlhf.Core.Telemetry;
using Rlhf.Tests.Shared.Telemetry;

namespace Rlhf.Core.Tests.Telemetry;

/// <summary>
/// The one place that chooses exporters: OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is, both, or none; and what it chose really exports, to loopback stand-ins
/// of an OTLP collector and of Application Insights ingestion.
/// </summary>
public sealed class TelemetryExportTests
{
    private const string Otlp = TelemetryExport.OtlpEndpointSetting;
    private const string AzureMonitor = TelemetryExport.AzureMonitorSetting;
    private const string Entra = TelemetryExport.AzureMonitorAuthenticationSetting;
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://example.invalid/";

    [Fact]
    public void Nothing_set_exports_nothing()
    {
        var export = Select([]);

        Assert.False(export.Enabled);
        Assert.False(export.Otlp);
        Assert.Null(export.AzureMonitorConnectionString);
        Assert.Equal("off", export.Description);
        // and no provider is registered: nothing listens to our source
        var services = new ServiceCollection();
        Assert.Null(services.AddRlhfTelemetry("test", export));
        Assert.Empty(services);
    }

    [Fact]
    public void The_otlp_endpoint_selects_otlp_alone()
    {
        var export = Select(new() { [Otlp] = "http://collector:4318" });

        Assert.True(export.Enabled);
        Assert.Equal(new Uri("http://collector:4318"), export.OtlpEndpoint);
        Assert.Null(export.AzureMonitorConnectionString);
        Assert.Equal("OTLP http://collector:4318/", export.Description);
    }

    [Fact]
    public void The_connection_string_selects_azure_monitor_with_the_key_or_with_entra_id()
    {
        var keyed = Select(new() { [AzureMonitor] = ConnectionString });
        var entra = Select(new() { [AzureMonitor] = ConnectionString, [Entra] = "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD" });
        var systemAssigned = Select(new() { [AzureMonitor] = ConnectionString, [Entra] = "Authorization=AAD" });

        Assert.Equal((false, ConnectionString, null), (keyed.Otlp, keyed.AzureMonitorConnectionString, keyed.AzureMonitorCredential));
        Assert.Equal("Azure Monitor", keyed.Description);
        Assert.IsType<ManagedIdentityCredential>(entra.AzureMonitorCredential);
        Assert.IsType<ManagedIdentityCredential>(systemAssigned.AzureMonitorCredential);
        Assert.Equal("Azure Monitor (Entra ID)", entra.Description);
    }

    [Fact]
    public void A_remote_job_gets_the_azure_monitor_settings_and_never_the_hosts_otlp_endpoint()
    {
        var host = new Dictionary<string, string?> { [Otlp] = "http://localhost:4318", [AzureMonitor] = ConnectionString, [Entra] = "Authorization=AAD;ClientId=4b8d5f61-2c3e-4a7b-9d10-6e5f4c3b2a19" };

        var forwarded = TelemetryExport.ForRemoteJobs(name => host.GetValueOrDefault(name));

        Assert.Equal(new Dictionary<string, string> { [AzureMonitor] = ConnectionString, [Entra] = host[Entra]! }, forwarded);
        Assert.Empty(TelemetryExport.ForRemoteJobs(name => name == Otlp ? "http://localhost:4318" : null));
        Assert.Empty(TelemetryExport.ForRemoteJobs(name => name == Entra ? host[Entra] : null)); // no connection string: nothing to authenticate
    }

    [Fact]
    public void Both_settings_select_both_exporters()
    {
        var export = Select(new() { [Otlp] = "https://collector.example:4318", [AzureMonitor] = ConnectionString });

        Assert.True(export.Otlp);
        Assert.NotNull(export.AzureMonitorConnectionString);
        Assert.Equal("OTLP https://collector.example:4318/, Azure Monitor", export.Description);
    }

    [Theory]
    [InlineData(Otlp, "collector:4318", null)]
    [InlineData(Otlp, "ftp://collector", null)]
    [InlineData(Entra, "Authorization=Key", ConnectionString)]
    [InlineData(Entra, "ClientId", ConnectionString)]
    public void A_malformed_setting_is_refused_with_its_name(string setting, string value, string? connectionString)
    {
        var settings = new Dictionary<string, string?> { [setting] = value, [AzureMonitor] = connectionString };

        var error = Assert.Throws<InvalidOperationException>(() => TelemetryExport.From(n => settings.GetValueOrDefault(n)));

        Assert.StartsWith(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Otlp_exports_spans_and_metrics_over_http_protobuf()
    {
        await using var collector = new OtlpReceiver();
        var settings = new Dictionary<string, string?>(collector.Environment.ToDictionary(e => e.Key, e => (string?)e.Value));
        var export = Select(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var source = new ActivitySource($"test.otlp.{Guid.NewGuid():N}");
        using var meter = new Meter(source.Name);

        using (var tracing = export.AddExporters(Sdk.CreateTracerProviderBuilder().ConfigureServices(s => s.AddSingleton<IConfiguration>(configuration)).AddSource(source.Name)).Build())
        using (var metrics = export.AddExporters(Sdk.CreateMeterProviderBuilder().ConfigureServices(s => s.AddSingleton<IConfiguration>(configuration)).AddMeter(meter.Name)).Build())
        {
            using (var span = source.StartActivity("exported span"))
            {
                span!.SetTag(TelemetryAttributes.RunId, "r1");
            }

            meter.CreateCounter<long>("test.things", "{thing}").Add(3);
        }

        var exported = Assert.Single(collector.Spans);
        Assert.Equal(("exported span", "r1"), (exported.Name, exported.Attributes[TelemetryAttributes.RunId]));
        var counted = Assert.Single(collector.Metrics, m => m.Name == "test.things");
        Assert.Equal(("sum", "{thing}", 3.0), (counted.Kind, counted.Unit, Assert.Single(counted.Points).Value));
        Assert.Empty(collector.Errors);
    }

    [Fact]
    public async Task Azure_monitor_exports_spans_to_the_ingestion_endpoint_of_the_connection_string()
    {
        await using var ingestion = new AzureMonitorIngestionStandIn();
        var export = Select(new() { [AzureMonitor] = ingestion.ConnectionString });
        using var source = new ActivitySource($"test.azmon.{Guid.NewGuid():N}");

        using (export.AddExporters(Sdk.CreateTracerProviderBuilder().AddSource(source.Name)).Build())
        {
            // more traces than a rate-limited sampler would keep in a second: every one must be recorded
            for (var i = 0; i < 20; i++)
            {
                using var span = source.StartActivity($"span {i}", ActivityKind.Server);
                Assert.True(span?.Recorded, $"span {i} was sampled out");
            }
        }

        // server spans arrive as Application Insights requests
        var requests = ingestion.Items.Where(i => (string?)i["data"]?["baseType"] == "RequestData").Select(i => (string)i["data"]!["baseData"]!["name"]!);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"span {i}").ToHashSet(), requests.ToHashSet());
        Assert.Empty(ingestion.Errors);
    }

    private static TelemetryExport Select(Dictionary<string, string?> settings) => TelemetryExport.From(n => settings.GetValueOrDefault(n));
}

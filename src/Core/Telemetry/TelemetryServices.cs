using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// OpenTelemetry for a host (the local host, the Function App): our source and meter, the Durable Task SDK's spans (run
/// and step added by <see cref="DurableSpanEnricher"/>) and the exporters of <see cref="TelemetryExport"/>. The host adds
/// its own instrumentation (ASP.NET Core, the Functions worker) through the hooks.
/// </summary>
public static class TelemetryServices
{
    /// <summary>
    /// Registers OpenTelemetry, or nothing (and returns null) when <paramref name="export"/> has no exporter: then nothing
    /// listens, and spans and measurements cost next to nothing.
    /// </summary>
    public static OpenTelemetryBuilder? AddRlhfTelemetry(
        this IServiceCollection services,
        string serviceName,
        TelemetryExport export,
        Action<TracerProviderBuilder>? tracing = null,
        Action<MeterProviderBuilder>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(export);
        if (!export.Enabled)
        {
            return null;
        }

        return services.AddOpenTelemetry()
            .ConfigureResource(r => Describe(r, serviceName))
            .WithTracing(t =>
            {
                // first: the exporters below see the run and step it adds
                t.AddProcessor(new DurableSpanEnricher());
                t.AddSource(RlhfTelemetry.Name, RlhfTelemetry.DurableTaskSourceName);
                tracing?.Invoke(t);
                export.AddExporters(t);
            })
            .WithMetrics(m =>
            {
                m.AddMeter(RlhfTelemetry.Name);
                metrics?.Invoke(m);
                export.AddExporters(m);
            });
    }

    /// <summary>The resource of every process: <c>service.name</c> (unless <c>OTEL_SERVICE_NAME</c> says otherwise; Application Insights shows it as the cloud role) and version.</summary>
    public static ResourceBuilder Describe(ResourceBuilder resource, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource
            .AddService(serviceName, serviceVersion: RlhfTelemetry.Source.Version)
            .AddEnvironmentVariableDetector();
    }
}

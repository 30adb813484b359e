using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rlhf.Core.Telemetry;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// OpenTelemetry of the local host (<see cref="TelemetryServices.AddRlhfTelemetry"/>): server spans of the HTTP API (not
/// of the sidecar's gRPC calls, which the worker makes several times a second), ASP.NET Core's request metrics, the
/// Durable Task SDK's and our own spans and metrics. Nothing at all when no exporter is configured.
/// </summary>
internal static class LocalHostTelemetry
{
    public const string ServiceName = "rlhf-serve";

    public static void Add(WebApplicationBuilder builder, TelemetryExport export, int apiPort) =>
        builder.Services.AddRlhfTelemetry(
            ServiceName,
            export,
            tracing: t => t.AddAspNetCoreInstrumentation(o => o.Filter = http => http.Connection.LocalPort == apiPort),
            metrics: m => m.AddAspNetCoreInstrumentation());
}

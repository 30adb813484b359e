using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Telemetry;

namespace Rlhf.FunctionApp;

/// <summary>
/// The worker's OpenTelemetry: our spans and metrics and the Durable Task SDK's, plus the Functions worker's invocation
/// spans (<c>UseFunctionsWorkerDefaults</c>), which continue the trace context the host passes with each invocation,
/// exported where the app settings say (<see cref="TelemetryExport"/>; in Azure, Application Insights with Entra ID, as
/// infra/bicep sets it). The host exports its own side in the same format (host.json <c>telemetryMode</c>).
/// Nothing is registered when no exporter is configured.
/// </summary>
public static class FunctionAppTelemetry
{
    /// <summary>The service name, unless the Functions resource detector names it (in Azure: the app's name, as the host does).</summary>
    public const string ServiceName = "rlhf-functions";

    public static IServiceCollection AddRlhfFunctionAppTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddRlhfTelemetry(ServiceName, TelemetryExport.From(name => configuration[name]))?.UseFunctionsWorkerDefaults();
        return services;
    }
}

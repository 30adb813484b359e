using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// The pipeline's own <see cref="ActivitySource"/> and <see cref="Meter"/> (both named <see cref="Name"/>), shared by the
/// hosts, the activities and the trainer. Spans and instruments cost next to nothing while no OpenTelemetry provider
/// listens (<see cref="TelemetryExport.Enabled"/> false): <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null and measurements are dropped.
/// </summary>
public static class RlhfTelemetry
{
    /// <summary>Name of the activity source and the meter.</summary>
    public const string Name = "Rlhf";

    /// <summary>The Durable Task SDK's activity source (client, orchestration and activity spans of durabletask-dotnet).</summary>
    public const string DurableTaskSourceName = "Microsoft.DurableTask";

    private static readonly string? Version = typeof(RlhfTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static ActivitySource Source { get; } = new(Name, Version);

    public static Meter Meter { get; } = new(Name, Version);
}

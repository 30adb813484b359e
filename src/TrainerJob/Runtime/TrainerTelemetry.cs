using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rlhf.Core.Telemetry;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// The trainer process's OpenTelemetry providers: our source and meter, exported where <see cref="TelemetryExport"/>
/// says (the same settings as the hosts'; a runner passes them on with the job's environment). Built only when an
/// exporter is configured. Disposing flushes whatever is buffered, so the attempt's span and last measurements leave
/// the process on success, failure and cancellation alike (a killed process loses them, as it loses its heartbeat).
/// </summary>
public sealed class TrainerTelemetry : IDisposable
{
    public const string ServiceName = "rlhf-trainer";

    private readonly TracerProvider? _tracing;
    private readonly MeterProvider? _metrics;

    private TrainerTelemetry(TracerProvider? tracing, MeterProvider? metrics)
    {
        _tracing = tracing;
        _metrics = metrics;
    }

    /// <summary>Whether this process exports anything.</summary>
    public bool Enabled => _tracing is not null;

    public static TrainerTelemetry Start(TelemetryExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (!export.Enabled)
        {
            return new TrainerTelemetry(null, null);
        }

        var tracing = export.AddExporters(Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(r => TelemetryServices.Describe(r, ServiceName))
                .AddSource(RlhfTelemetry.Name))
            .Build();
        var metrics = export.AddExporters(Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => TelemetryServices.Describe(r, ServiceName))
                .AddMeter(RlhfTelemetry.Name))
            .Build();
        return new TrainerTelemetry(tracing, metrics);
    }

    /// <summary>Flushes and shuts down: spans first (the attempt's span has ended), then a last collection of the metrics.</summary>
    public void Dispose()
    {
        _tracing?.Dispose();
        _metrics?.Dispose();
    }
}

using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// Where telemetry goes, decided in this one place from the standard settings, for the local host, the Function App and
/// the trainer alike: OTLP when <see cref="OtlpEndpointSetting"/> is set (the OTLP exporter reads its own settings:
/// protocol, headers, timeout), Azure Monitor when <see cref="AzureMonitorSetting"/> is set (with Microsoft Entra ID
/// when <see cref="AzureMonitorAuthenticationSetting"/> says <c>Authorization=AAD</c>, as infra/bicep sets it), both when
/// both are set, and nothing otherwise: then no provider is built, no span is recorded and the cost is next to none.
/// </summary>
public sealed record TelemetryExport
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public const string AzureMonitorAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>No exporter.</summary>
    public static TelemetryExport None { get; } = new();

    /// <summary>Export over OTLP (endpoint <see cref="OtlpEndpoint"/>).</summary>
    public bool Otlp => OtlpEndpoint is not null;

    public Uri? OtlpEndpoint { get; private init; }

    /// <summary>Export to Application Insights with this connection string.</summary>
    public string? AzureMonitorConnectionString { get; private init; }

    /// <summary>The managed identity Azure Monitor ingestion is authenticated with; null for the connection string's key alone.</summary>
    public TokenCredential? AzureMonitorCredential { get; private init; }

    /// <summary>Exporters added in code next to the configured ones (tests: in-memory exporters); null: none.</summary>
    public Action<TracerProviderBuilder>? InProcessTracing { get; private init; }

    /// <summary>Metric exporters or readers added in code (tests: in-memory exporters); null: none.</summary>
    public Action<MeterProviderBuilder>? InProcessMetrics { get; private init; }

    /// <summary>Whether any exporter is configured.</summary>
    public bool Enabled => Otlp || AzureMonitorConnectionString is not null || InProcessTracing is not null || InProcessMetrics is not null;

    /// <summary>For people: <c>OTLP http://localhost:4318, Azure Monitor (Entra ID)</c>, or <c>off</c>.</summary>
    public string Description =>
        string.Join(", ", new[]
        {
            Otlp ? $"OTLP {OtlpEndpoint}" : null,
            AzureMonitorConnectionString is null ? null : AzureMonitorCredential is null ? "Azure Monitor" : "Azure Monitor (Entra ID)",
            InProcessTracing is null && InProcessMetrics is null ? null : "in-process",
        }.OfType<string>()) is { Length: > 0 } described ? described : "off";

    /// <summary>These exporters plus exporters added in code (tests add in-memory ones).</summary>
    public TelemetryExport WithInProcess(Action<TracerProviderBuilder>? tracing, Action<MeterProviderBuilder>? metrics) =>
        this with { InProcessTracing = tracing, InProcessMetrics = metrics };

    /// <summary>
    /// The settings a remote trainer job (an Azure ML command job) gets so that its spans reach the host's Application Insights:
    /// the Azure Monitor connection and authentication strings where the host has them. OTLP is not handed on: a host's OTLP
    /// endpoint is usually its own collector (<c>localhost</c>), which a node in Azure ML cannot reach, and a trainer waits
    /// for an unreachable exporter at exit.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForRemoteJobs(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var forwarded = new Dictionary<string, string>(StringComparer.Ordinal);
        if (setting(AzureMonitorSetting) is { Length: > 0 } connectionString)
        {
            forwarded[AzureMonitorSetting] = connectionString;
            if (setting(AzureMonitorAuthenticationSetting) is { Length: > 0 } authentication)
            {
                forwarded[AzureMonitorAuthenticationSetting] = authentication;
            }
        }

        return forwarded;
    }

    /// <summary>The exporters the settings ask for; <paramref name="setting"/> reads one (environment variable or app setting).</summary>
    /// <exception cref="InvalidOperationException">A setting is malformed; the message names it.</exception>
    public static TelemetryExport From(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        Uri? endpoint = null;
        if (setting(OtlpEndpointSetting) is { Length: > 0 } otlp
            && !(Uri.TryCreate(otlp.Trim(), UriKind.Absolute, out endpoint) && endpoint.Scheme is "http" or "https"))
        {
            throw new InvalidOperationException($"{OtlpEndpointSetting} must be an absolute http(s) URL (e.g. http://localhost:4318), not '{otlp}'.");
        }

        var connectionString = setting(AzureMonitorSetting) is { Length: > 0 } cs ? cs.Trim() : null;
        return new TelemetryExport
        {
            OtlpEndpoint = endpoint,
            AzureMonitorConnectionString = connectionString,
            AzureMonitorCredential = connectionString is null ? null : EntraCredential(setting(AzureMonitorAuthenticationSetting)),
        };
    }

    /// <summary>The exporters this process's environment asks for.</summary>
    public static TelemetryExport FromEnvironment() => From(Environment.GetEnvironmentVariable);

    /// <summary>Adds the chosen trace exporters (batched) to <paramref name="builder"/>.</summary>
    public TracerProviderBuilder AddExporters(TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        InProcessTracing?.Invoke(builder);
        if (Otlp)
        {
            builder.AddOtlpExporter();
        }

        if (AzureMonitorConnectionString is not null)
        {
            builder.AddAzureMonitorTraceExporter(AzureMonitor);
        }

        return builder;
    }

    /// <summary>Adds the chosen metric exporters (periodic readers) to <paramref name="builder"/>.</summary>
    public MeterProviderBuilder AddExporters(MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        InProcessMetrics?.Invoke(builder);
        if (Otlp)
        {
            builder.AddOtlpExporter();
        }

        if (AzureMonitorConnectionString is not null)
        {
            builder.AddAzureMonitorMetricExporter(AzureMonitor);
        }

        return builder;
    }

    private void AzureMonitor(AzureMonitorExporterOptions options)
    {
        options.ConnectionString = AzureMonitorConnectionString;
        options.Credential = AzureMonitorCredential;
        // The exporter's default sampler keeps about 5 traces a second and drops the rest: with both exporters on, the
        // OTLP side would lose them too. A run is one trace, and the API's requests are few: keep every trace.
        options.TracesPerSecond = null;
        options.SamplingRatio = 1.0F;
    }

    /// <summary>
    /// <c>Authorization=AAD</c> (optionally <c>;ClientId={user-assigned identity's client id}</c>, in any order): the
    /// managed identity; absent: none (the connection string's instrumentation key alone).
    /// </summary>
    private static ManagedIdentityCredential? EntraCredential(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }

        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InvalidOperationException($"{AzureMonitorAuthenticationSetting} must be 'Authorization=AAD[;ClientId=<client id>]'; '{part}' is not 'name=value'.");
            }

            parts[part[..equals].Trim()] = part[(equals + 1)..].Trim();
        }

        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{AzureMonitorAuthenticationSetting} must say 'Authorization=AAD' (Microsoft Entra ID, the only kind there is); it says '{authentication}'.");
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}

using DurableTask.AzureStorage;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Rlhf.Core.Storage;

namespace Rlhf.Cli.Hosting;

/// <summary>A running local host: its URLs, services and a graceful stop (worker, engine, then Azurite if it started it).</summary>
public sealed class LocalHostHandle : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AzureStorageOrchestrationService _service;
    private readonly GrpcChannel _channel;
    private readonly Azurite? _azurite;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private int _disposed;

    internal LocalHostHandle(WebApplication app, AzureStorageOrchestrationService service, GrpcChannel channel, Azurite? azurite, Uri apiUri, Uri sidecarUri, LocalHostContext context)
    {
        _app = app;
        _service = service;
        _channel = channel;
        _azurite = azurite;
        ApiUri = apiUri;
        SidecarUri = sidecarUri;
        Context = context;
    }

    /// <summary>Base URL of the HTTP API (<c>{ApiUri}api/runs</c>), what <c>--endpoint</c> takes.</summary>
    public Uri ApiUri { get; }

    /// <summary>The Durable Task sidecar's gRPC address.</summary>
    public Uri SidecarUri { get; }

    public LocalHostContext Context { get; }

    /// <summary>The engine's logger factory, kept for the host's life and disposed with it.</summary>
    internal Microsoft.Extensions.Logging.ILoggerFactory? EngineLoggers { get; init; }

    /// <summary>The non-verbose engine log, whose benign-discard count is printed on stop; null when verbose.</summary>
    internal EngineWarnings? EngineWarnings { get; init; }

    /// <summary>Where the host's traces and metrics go.</summary>
    public Rlhf.Core.Telemetry.TelemetryExport Telemetry { get; init; } = Rlhf.Core.Telemetry.TelemetryExport.None;

    public IServiceProvider Services => _app.Services;

    /// <summary>Completes when the host stops (Ctrl+C / SIGTERM or <see cref="DisposeAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        // Releases the partition lease so the next host picks the hub up at once; bounded, as the
        // storage may be unreachable.
        try
        {
            await _service.StopAsync(isForced: true).WaitAsync(StopTimeout);
        }
        catch (Exception e) when (e is TimeoutException or NullReferenceException)
        {
            // Leases expire by themselves. The provider's forced stop can also throw a NullReferenceException
            // when its dispatchers are already gone (seen once in bench/PlatformPerf); nothing is left to release.
        }
        await _channel.ShutdownAsync();
        _channel.Dispose();
        EngineWarnings?.WriteSummary();
        EngineLoggers?.Dispose();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

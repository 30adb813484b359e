using System.Net;
using DurableTask.AzureStorage;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Rlhf.Api;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Storage;
using Rlhf.Orchestrations;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>
/// The stack <see cref="LocalHost.StartAsync"/> builds (Durable Task engine on Azure Storage behind the gRPC
/// sidecar, worker, HTTP API, local job runner), assembled here from the same public pieces because
/// <see cref="LocalHost"/> takes no extra registrations. Differences, all for measuring: every activity is
/// wrapped in <see cref="TimedActivity"/>, the store in <see cref="ObservedArtifactStore"/>, and the bench's
/// <see cref="DispatchChain"/> and <see cref="NoOpActivity"/> are registered besides the workflow.
/// No nightly schedule. Storage is an Azurite the caller owns.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly AzureStorageOrchestrationService _service;
    private readonly GrpcChannel _channel;
    private readonly ILoggerFactory _engineLoggers;

    private BenchHost(WebApplication app, AzureStorageOrchestrationService service, GrpcChannel channel, ILoggerFactory engineLoggers, Uri apiUri)
    {
        _app = app;
        _service = service;
        _channel = channel;
        _engineLoggers = engineLoggers;
        ApiUri = apiUri;
    }

    public Uri ApiUri { get; }

    public DurableTaskClient Client => _app.Services.GetRequiredService<DurableTaskClient>();

    public IArtifactStore Store => _app.Services.GetRequiredService<IArtifactStore>();

    /// <summary>Starts a host on <paramref name="connectionString"/>; <paramref name="options"/> gives task hub, container, polling and data dir.</summary>
    public static async Task<BenchHost> StartAsync(string connectionString, LocalHostOptions options, Timeline timeline, EngineErrors errors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var repoRoot = RepoRoot.Find(options.RepoRoot);
        var dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);
        // The storage provider logs through this factory for its whole life (LocalHost disposes it after start-up).
        var engineLoggers = LoggerFactory.Create(b => Logging(b, options, errors));

        var storeLocation = $"{DurableEngine.BlobServiceUri(connectionString).AbsoluteUri.TrimEnd('/')}/{options.Container}";
        IArtifactStore store = new ObservedArtifactStore(ArtifactStores.Open(storeLocation), timeline);
        var apiPort = FreePorts.FindConsecutive(2);
        var sidecarPort = apiPort + 1;
        var service = await DurableEngine.CreateAsync(connectionString, options, engineLoggers, cancellationToken);
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{sidecarPort}");
        var context = new LocalHostContext(repoRoot, dataDir, storeLocation, connectionString);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = dataDir, ApplicationName = "platform-perf" });
        Logging(builder.Logging.ClearProviders(), options, errors);
        LocalHost.AddEngine(builder, IPAddress.Loopback, apiPort, sidecarPort, service, store, context);
        builder.Services.AddDurableTaskWorker(b =>
        {
            b.UseGrpc(channel);
            b.AddTasks(registry =>
            {
                registry.AddRlhfOrchestrations().AddTimedRlhfActivities(timeline);
                registry.AddOrchestrator<DispatchChain>().AddTimed(nameof(NoOpActivity), typeof(NoOpActivity), timeline);
            });
        });
        builder.Services.AddDurableTaskClient(b => b.UseGrpc(channel));
        builder.Services.AddRlhfApi();

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        app.MapRlhfApi();
        await app.StartAsync(cancellationToken);
        // The worker dials the sidecar before Kestrel listens; its refused first attempt leaves the shared channel in
        // back-off, and a client call made then fails at once ("Error connecting to subchannel"). Wait until it is up.
        await channel.ConnectAsync(cancellationToken);

        if (options.SeedDatasets)
        {
            await DatasetSeeder.SeedAsync(store, repoRoot, app.Services.GetRequiredService<ILogger<BenchHost>>(), cancellationToken);
        }

        return new BenchHost(app, service, channel, engineLoggers, new Uri($"http://127.0.0.1:{apiPort}/"));
    }

    /// <summary>Warnings and errors are counted by <paramref name="errors"/> (and reported); the console (stderr: stdout carries the JSON) shows critical ones only.</summary>
    private static void Logging(ILoggingBuilder logging, LocalHostOptions options, EngineErrors errors)
    {
        logging.AddSimpleConsole(c => c.SingleLine = true)
            .AddProvider(errors)
            .SetMinimumLevel(options.LogLevel)
            .AddFilter<ConsoleLoggerProvider>(null, LogLevel.Critical);
        logging.Services.Configure<ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            await _service.StopAsync(isForced: true).WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            // Leases expire by themselves; the Azurite goes away with the bench anyway.
        }
        catch (NullReferenceException)
        {
            // DurableTask.AzureStorage 2.11.2 throws this from StopAsync when the service is already stopped
            // (seen here after the sidecar shut down first); nothing is left to stop.
        }

        await _channel.ShutdownAsync();
        _channel.Dispose();
        _engineLoggers.Dispose();
    }
}

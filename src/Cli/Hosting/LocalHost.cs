using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Rlhf.Activities.Jobs;
using Rlhf.Api;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Storage;
using Rlhf.Core.Telemetry;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// Everything <c>rlhf serve</c> runs, in one process: Azurite (started or reused), the Durable Task engine
/// (<see cref="AzureStorageOrchestrationService"/> behind the gRPC sidecar <see cref="TaskHubGrpcServer"/> on its own
/// HTTP/2 port), the worker with every orchestration and activity, the HTTP API, the local job runner and
/// the nightly schedule. Tests start it in-process on free ports; the CLI runs it until Ctrl+C.
/// </summary>
public static class LocalHost
{
    public static async Task<LocalHostHandle> StartAsync(LocalHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var repoRoot = RepoRoot.Find(options.RepoRoot);
        var dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);
        // before anything starts: a malformed telemetry setting is an InvalidOperationException naming it
        var telemetry = options.Telemetry ?? TelemetryExport.FromEnvironment();
        // diagnostics on stderr: `rlhf demo --json` prints one JSON document on stdout
        var engineWarnings = options.LogLevel >= LogLevel.Warning ? new EngineWarnings(Console.Error) : null;
        // The engine logs through this factory for the host's whole life: the handle disposes it.
        var bootLoggers = LoggerFactory.Create(b => Logging(b, options, engineWarnings));

        Azurite? azurite = null;
        var connectionString = options.Storage;
        if (connectionString is null)
        {
            // The data folder's own emulator outlives a crashed host and is never replaced while it lives (docs/durability.md).
            var azuriteOptions = new AzuriteOptions { BlobPort = options.AzuriteBlobPort, Location = Path.Combine(dataDir, "azurite"), SearchFrom = repoRoot };
            azurite = FolderAzurite.IsSupported
                ? await FolderAzurite.StartAsync(azuriteOptions, cancellationToken)
                : await Azurite.StartAsync(azuriteOptions, cancellationToken);
            connectionString = azurite.ConnectionString;
        }

        try
        {
            var storeLocation = $"{DurableEngine.BlobServiceUri(connectionString).AbsoluteUri.TrimEnd('/')}/{options.Container}";
            var store = ArtifactStores.Open(storeLocation);
            var context = new LocalHostContext(repoRoot, dataDir, storeLocation, connectionString);
            WebApplication app;
            AzureStorageOrchestrationService service;
            GrpcChannel channel;
            int apiPort, sidecarPort;
            for (var attempt = 1; ; attempt++)
            {
                // Free ports are found, released, then bound: another process may take one in between (seen in CI with
                // test hosts starting side by side). Only ports this method chose itself are chosen again.
                var ports = FreePorts.FindConsecutive(2);
                apiPort = options.Port == 0 ? ports : options.Port;
                sidecarPort = options.SidecarPort == 0 ? ports + 1 : options.SidecarPort;
                service = await DurableEngine.CreateAsync(connectionString, options, bootLoggers, cancellationToken);
                channel = GrpcChannel.ForAddress($"http://127.0.0.1:{sidecarPort}");
                app = Build(options, repoRoot, dataDir, storeLocation, store, context, service, channel, apiPort, sidecarPort, engineWarnings, telemetry);
                try
                {
                    await app.StartAsync(cancellationToken);
                    break;
                }
                catch (IOException e) when (e.InnerException is AddressInUseException && (options.Port == 0 || options.SidecarPort == 0) && attempt < 3)
                {
                    await app.DisposeAsync();
                    channel.Dispose();
                }
            }

            // The worker and the client dial the sidecar while Kestrel is still starting; a refused first dial leaves
            // the shared channel in back-off and the first client calls fail ("Error connecting to subchannel").
            await channel.ConnectAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

            if (options.SeedDatasets)
            {
                await DatasetSeeder.SeedAsync(store, repoRoot, app.Services.GetRequiredService<ILogger<LocalHostHandle>>(), cancellationToken);
            }

            var host = options.Bind is "0.0.0.0" or "::" ? "127.0.0.1" : options.Bind;
            return new LocalHostHandle(app, service, channel, azurite, new Uri($"http://{host}:{apiPort}/"), new Uri($"http://127.0.0.1:{sidecarPort}/"), context)
            {
                EngineLoggers = bootLoggers,
                EngineWarnings = engineWarnings,
                Telemetry = telemetry,
            };
        }
        catch
        {
            bootLoggers.Dispose();
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The web application: Kestrel on the API and sidecar ports, the engine behind the sidecar, the worker, the API.</summary>
    private static WebApplication Build(
        LocalHostOptions options, string? repoRoot, string dataDir, string storeLocation, IArtifactStore store, LocalHostContext context,
        AzureStorageOrchestrationService service, GrpcChannel channel, int apiPort, int sidecarPort, EngineWarnings? engineWarnings, TelemetryExport telemetry)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = dataDir, ApplicationName = "rlhf" });
        Logging(builder.Logging.ClearProviders(), options, engineWarnings);
        AddEngine(builder, IPAddress.Parse(options.Bind), apiPort, sidecarPort, service, store, context);
        LocalHostTelemetry.Add(builder, telemetry, apiPort);
        builder.Services.Configure<LocalJobRunnerOptions>(runner =>
        {
            foreach (var (name, value) in options.JobEnvironment)
            {
                runner.EnvironmentVariables[name] = value;
            }
        });
        builder.Services.AddDurableTaskWorker(b =>
        {
            b.UseGrpc(channel);
            b.AddTasks(registry =>
            {
                PipelineRegistration.AddTasks(registry);
                options.ExtraTasks?.Invoke(registry);
            });
        });
        builder.Services.AddDurableTaskClient(b => b.UseGrpc(channel));
        builder.Services.AddRlhfApi();
        builder.Services.AddHostedService<StorageMonitor>();
        if (options.TimerSweep is { } sweep)
        {
            builder.Services.AddSingleton(sp => new TimerSweeper(service, sweep, sp.GetRequiredService<ILogger<TimerSweeper>>(), store));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<TimerSweeper>());
        }

        if (options.NightlyCron is not null)
        {
            builder.Services.AddSingleton(new NightlyScheduleOptions(options.NightlyCron, RepoRoot.Resolve(options.NightlySpec, repoRoot), storeLocation));
            builder.Services.AddHostedService<NightlySchedule>();
        }

        options.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        app.MapRlhfApi();
        return app;
    }

    /// <summary>
    /// The engine side of a local host on <paramref name="builder"/>: Kestrel with the API (HTTP/1.1) and the sidecar
    /// (HTTP/2, loopback) ports, the sidecar's gRPC server over the Azure Storage engine (timers through
    /// <see cref="SidecarHistoryAdapter"/>), the artifact store, the host context and the pipeline's activity services.
    /// The caller adds the worker, the client and the API, and maps <see cref="TaskHubGrpcServer"/>. Also used by
    /// bench/PlatformPerf, which registers timed tasks on the same stack.
    /// </summary>
    public static void AddEngine(
        WebApplicationBuilder builder, IPAddress apiAddress, int apiPort, int sidecarPort,
        AzureStorageOrchestrationService service, IArtifactStore store, LocalHostContext context)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(apiAddress, apiPort, l => l.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, sidecarPort, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(new SidecarHistoryAdapter(service));
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(context);
        PipelineRegistration.AddServices(builder.Services, context, builder.Configuration);
    }

    /// <summary>
    /// Console logs at the chosen level. When not verbose, the storage provider's warnings and errors go through
    /// <see cref="EngineWarnings"/> instead (one line each, the benign discards counted), not the console logger, which
    /// would print their stacks.
    /// </summary>
    private static void Logging(ILoggingBuilder logging, LocalHostOptions options, EngineWarnings? engineWarnings)
    {
        logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(options.LogLevel);
        if (engineWarnings is not null)
        {
            logging.AddFilter<ConsoleLoggerProvider>(EngineWarnings.Category, LogLevel.None);
            logging.AddProvider(engineWarnings);
        }
    }
}

/// <summary>Where the local host keeps things, for the services that need to know (job runner, seeding, nightly).</summary>
public sealed record LocalHostContext(string? RepoRoot, string DataDir, string ArtifactStoreLocation, string StorageConnectionString);

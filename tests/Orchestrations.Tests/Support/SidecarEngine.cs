using System.Net;
using System.Net.Sockets;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rlhf.Activities;
using Rlhf.Core.Artifacts;

namespace Rlhf.Orchestrations.Tests.Support;

/// <summary>
/// The Durable Task engine (in-memory orchestration service behind the gRPC sidecar) in one host, and worker
/// hosts that connect to it over gRPC and can be stopped and replaced: a worker restart, with the engine's
/// state (histories, queues) kept, as when the local host restarts over Azurite.
/// </summary>
internal sealed class SidecarEngine : IAsyncDisposable
{
    private readonly IHost _sidecar;
    private readonly GrpcChannel _channel;
    private readonly IHost _clientHost;

    private SidecarEngine(IHost sidecar, GrpcChannel channel, IHost clientHost)
    {
        _sidecar = sidecar;
        _channel = channel;
        _clientHost = clientHost;
    }

    public DurableTaskClient Client => _clientHost.Services.GetRequiredService<DurableTaskClient>();

    public static async Task<SidecarEngine> StartAsync()
    {
        var port = FreePort();
        var service = new InMemoryOrchestrationService(NullLoggerFactory.Instance);
        var sidecar = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureWebHostDefaults(web =>
            {
                web.UseUrls($"http://127.0.0.1:{port}");
                web.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
                web.ConfigureServices(services =>
                {
                    services.AddGrpc();
                    services.AddSingleton<IOrchestrationService>(service);
                    services.AddSingleton<IOrchestrationServiceClient>(service);
                    services.AddSingleton<TaskHubGrpcServer>();
                });
                web.Configure(app =>
                {
                    app.UseRouting();
                    app.UseEndpoints(e => e.MapGrpcService<TaskHubGrpcServer>());
                });
            })
            .Build();
        await sidecar.StartAsync();
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var clientHost = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureServices(s => s.AddDurableTaskClient(b => b.UseGrpc(channel)))
            .Build();
        await clientHost.StartAsync();
        return new SidecarEngine(sidecar, channel, clientHost);
    }

    /// <summary>A worker host with every orchestration and activity, as the real hosts register them.</summary>
    public async Task<IHost> StartWorkerAsync(IArtifactStore store, string root)
    {
        var worker = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureServices(services =>
            {
                services.AddSingleton(store);
                services.AddRlhfActivities(
                    runner => RealTrainer.Configure(runner, root),
                    labeling => labeling.LexiconDirectory = Path.Combine(AppContext.BaseDirectory, "data", "tiny", "lexicons"));
                services.AddDurableTaskWorker(b =>
                {
                    b.AddTasks(r => r.AddRlhfOrchestrationsAndActivities());
                    b.UseGrpc(_channel);
                });
            })
            .Build();
        await worker.StartAsync();
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        await _clientHost.StopAsync();
        _clientHost.Dispose();
        await _sidecar.StopAsync();
        _sidecar.Dispose();
        _channel.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Net.Http.Json;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Api;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Json;
using Rlhf.Tests.Shared;

namespace Rlhf.Tests.Hosting;

/// <summary>
/// The real local host (Durable Task engine on Azurite through the gRPC sidecar, worker, HTTP API) started
/// in-process on free ports over an in-memory Azurite from <see cref="AzuriteFixture"/>, with its own task hub
/// and container so test classes never see each other's runs.
/// </summary>
public sealed class LocalHostFixture : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();
    private LocalHostHandle? _host;

    public LocalHostHandle Host => _host ?? throw new InvalidOperationException("The host has not started yet.");

    public HttpClient Http { get; } = new();

    public DurableTaskClient Durable => Host.Services.GetRequiredService<DurableTaskClient>();

    public IArtifactStore Store => Host.Services.GetRequiredService<IArtifactStore>();

    /// <summary>
    /// The repository's tiny demo spec (a valid run spec), with <c>"reuse": false</c>: the test classes of an assembly share one
    /// host and store, and each expects its runs to run their jobs, not to take another test's identical steps (docs/reuse.md).
    /// </summary>
    public static string TinySpec { get; } = WithoutReuse(File.ReadAllText(Path.Combine(RepoRoot.Find()!, "configs", "tiny.json")));

    /// <summary>configs/tiny.json as it is (reuse on), with <paramref name="seed"/>: a seed no other test uses keeps a reuse test's steps its own.</summary>
    public static string ReusableTinySpec(int seed)
    {
        var spec = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot.Find()!, "configs", "tiny.json")), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        spec["seed"] = seed;
        return spec.ToJsonString();
    }

    private static string WithoutReuse(string json)
    {
        var spec = System.Text.Json.Nodes.JsonNode.Parse(json, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        spec["reuse"] = false;
        return spec.ToJsonString();
    }

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        _host = await LocalHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            Storage = _azurite.ConnectionString,
            TaskHub = $"t{suffix}",
            Container = $"c{suffix}",
            DataDir = Path.Combine(Path.GetTempPath(), $"rlhf-test-{suffix}"),
            SeedDatasets = false,
        });
        Http.BaseAddress = Host.ApiUri;

        // The spec's datasets must exist at submission: put the tiny demo set where configs/tiny.json points.
        var tiny = Path.Combine(RepoRoot.Find()!, "data", "tiny");
        foreach (var file in Directory.EnumerateFiles(tiny, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')))
        {
            var name = "datasets/tiny/" + Path.GetRelativePath(tiny, file).Replace(Path.DirectorySeparatorChar, '/');
            if (ArtifactPath.IsValid(name))
            {
                await Store.PutAsync(name, await File.ReadAllBytesAsync(file));
            }
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _azurite.DisposeAsync();
    }

    /// <summary>Every orchestration instance whose id starts with <paramref name="prefix"/> (runs and their children).</summary>
    public async Task<List<string>> InstancesAsync(string prefix)
    {
        var ids = new List<string>();
        await foreach (var instance in Durable.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = prefix }))
        {
            ids.Add(instance.InstanceId);
        }

        return ids;
    }

    /// <summary>Every blob in the host's container whose name starts with <paramref name="prefix"/>.</summary>
    public async Task<List<string>> BlobsAsync(string prefix)
    {
        var container = new BlobContainerClient(_azurite.ConnectionString, new Uri(Host.Context.ArtifactStoreLocation).Segments[^1]);
        var names = new List<string>();
        if (!(await container.ExistsAsync()).Value)
        {
            return names;
        }

        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>Polls <c>GET /api/runs/{id}</c> until <paramref name="done"/> holds (the engine polls queues every second at most).</summary>
    public async Task<RunDetail> WaitForRunAsync(string runId, Func<RunDetail, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var run = await Http.GetFromJsonAsync<RunDetail>($"api/runs/{runId}", JsonDefaults.Options);
            if (done(run!))
            {
                return run!;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {runId} is still {run!.RuntimeStatus} at stage {run.Stage}.");
            }

            await Task.Delay(250);
        }
    }
}

/// <summary>Test classes that share one <see cref="LocalHostFixture"/> (one host per test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<LocalHostFixture>
{
    public const string Name = "local-host";
}

using System.Net.Http.Json;
using Azure.Core;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Jobs.AzureMl;
using Rlhf.Api;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Json;

namespace Rlhf.AzureMl.Tests.Support;

/// <summary>
/// The real local host (Durable Task engine on Azurite, worker, HTTP API) in-process, in its own task hub and container, with
/// the tiny data set in its store. With a stand-in, its Azure ML settings point at it: ARM endpoint, workspace defaults,
/// image; the credential is the stand-in's fixed token and the transport trusts its certificate (services a real host
/// takes from DefaultAzureCredential and the defaults).
/// </summary>
internal sealed class AzureMlHost : IAsyncDisposable
{
    private readonly LocalHostHandle _host;

    private AzureMlHost(LocalHostHandle host, string dataDir)
    {
        _host = host;
        DataDir = dataDir;
        Http = new HttpClient { BaseAddress = host.ApiUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    public string DataDir { get; }

    public IArtifactStore Store => _host.Services.GetRequiredService<IArtifactStore>();

    public DurableTaskClient Durable => _host.Services.GetRequiredService<DurableTaskClient>();

    public static async Task<AzureMlHost> StartAsync(string connectionString, AzureMlStandIn? standIn)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var dataDir = Path.Combine(Path.GetTempPath(), $"rlhf-aml-host-{suffix}");
        var host = await LocalHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            Storage = connectionString,
            TaskHub = $"aml{suffix}",
            Container = $"aml-{suffix}",
            DataDir = dataDir,
            SeedDatasets = false,
            ConfigureServices = services =>
            {
                // trainer scratch folders are per job id: keep them per host so hosts side by side never share one
                services.Configure<LocalJobRunnerOptions>(o => o.EnvironmentVariables["RLHF_WORK_DIR"] = Path.Combine(dataDir, "trainer"));
                if (standIn is not null)
                {
                    services.Configure<AzureMlOptions>(o => standIn.Workspace.Configure(o, standIn.Endpoint));
                    services.AddKeyedSingleton<TokenCredential>(AzureMlArmClient.CredentialKey, standIn.Credential);
                    services.AddSingleton(standIn.ClientOptions());
                }
            },
        });
        var tiny = Path.Combine(AppContext.BaseDirectory, "data", "tiny");
        var store = host.Services.GetRequiredService<IArtifactStore>();
        foreach (var file in Directory.EnumerateFiles(tiny, "*", SearchOption.AllDirectories))
        {
            var name = "datasets/tiny/" + Path.GetRelativePath(tiny, file).Replace(Path.DirectorySeparatorChar, '/');
            if (ArtifactPath.IsValid(name))
            {
                await store.PutFileAsync(name, file);
            }
        }

        return new AzureMlHost(host, dataDir);
    }

    /// <summary><c>POST /api/runs?runId=</c>; returns the response (202 when started).</summary>
    public async Task<HttpResponseMessage> PostRunAsync(string runId, string specJson)
    {
        using var content = new StringContent(specJson, System.Text.Encoding.UTF8, "application/json");
        return await Http.PostAsync(new Uri($"api/runs?runId={runId}", UriKind.Relative), content);
    }

    /// <summary>Polls the run until it finished.</summary>
    public async Task<RunDetail> WaitAsync(string runId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = (await Http.GetFromJsonAsync<RunDetail>(new Uri($"api/runs/{runId}", UriKind.Relative), JsonDefaults.Options))!;
            if (run.IsFinished)
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Run {runId} is still {run.RuntimeStatus} at stage {run.Stage} ({run.Message}) after {timeout}.");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // a trainer may still hold a file for a moment
        }
    }
}

using System.Security.Cryptography;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Api.Labeling;
using Rlhf.Core.Artifacts;

namespace Rlhf.FunctionApp.Tests.Support;

/// <summary>
/// The real Durable Task engine (in-process test host) running the Function App's wrappers, with the services
/// the Function App's own <see cref="FunctionAppServices.AddRlhfFunctionApp"/> registers from app settings:
/// a local artifact store in a temp folder, the real local job runner (trainer: the real <c>rlhf-trainer.dll</c>) and
/// the real simulated labeler over the lexicons the Function App ships.
/// </summary>
internal sealed class WrapperHost : IAsyncDisposable
{
    private readonly DurableTaskTestHost _host;

    private WrapperHost(DurableTaskTestHost host, string root)
    {
        _host = host;
        Root = root;
    }

    public DurableTaskClient Client => _host.Client;

    public IServiceProvider Services => _host.Services;

    public IArtifactStore Store => Services.GetRequiredService<IArtifactStore>();

    public string Root { get; }

    public static async Task<WrapperHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var root = Directory.CreateTempSubdirectory("rlhf-fa-").FullName;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [FunctionAppSettings.StorageLocation] = root,
                // required outside Development, as in Azure (there a Key Vault reference)
                [FunctionAppSettings.LabelingTokenKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Rlhf:LocalJobRunner:Launcher"] = "dotnet",
                ["Rlhf:LocalJobRunner:TrainerPath"] = RealTrainer.Dll,
                ["Rlhf:LocalJobRunner:MaxConcurrentJobs"] = "2",
                ["Rlhf:LocalJobRunner:WorkDirectory"] = Path.Combine(root, ".work"),
                ["Rlhf:LocalJobRunner:EnvironmentVariables:RLHF_WORK_DIR"] = Path.Combine(root, ".trainer"),
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();

        DurableTaskTestHost? host = null;
        host = await DurableTaskTestHost.StartAsync(
            registry => FunctionWrappers.Register(registry, () => host!.Services),
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    services.AddLogging();
                    services.AddRlhfFunctionApp(configuration);
                    // The Api binds Rlhf:Labeling from the container's IConfiguration, which in the Function App is this same
                    // configuration; the test host's container has its own, so bind the section from ours as well.
                    services.Configure<LabelingApiOptions>(configuration.GetSection(LabelingApiOptions.SectionName));
                },
            });
        return new WrapperHost(host, root);
    }

    /// <summary>Copies the committed tiny data set (corpus, prompt sets, lexicons) into the store at <c>datasets/tiny/</c>.</summary>
    public async Task SeedTinyDatasetAsync()
    {
        var tiny = Path.Combine(AppContext.BaseDirectory, "data", "tiny");
        var files = new[] { "corpus.txt", "prompts.train.jsonl", "prompts.heldout.jsonl" }.Select(name => Path.Combine(tiny, name))
            .Concat(Directory.GetFiles(Path.Combine(tiny, "lexicons")));
        foreach (var file in files)
        {
            await Store.PutFileAsync($"datasets/tiny/{Path.GetRelativePath(tiny, file).Replace('\\', '/')}", file);
        }
    }

    /// <summary>Polls the instance every 100 ms (the client's own wait polls every ~2 s) until it is no longer running.</summary>
    public async Task<OrchestrationMetadata> WaitAsync(string instanceId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var meta = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cts.Token);
            if (meta is { RuntimeStatus: OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated })
            {
                return meta;
            }

            await Task.Delay(100, cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // a job process may still hold a file; the temp folder is cleaned by the OS
        }
    }
}

using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities;
using Rlhf.Core.Artifacts;

namespace Rlhf.Orchestrations.Tests.Support;

/// <summary>
/// The real Durable Task engine (in-process test host) with every orchestration and activity registered by
/// the production registration methods, a local artifact store in a temp folder, the real
/// <see cref="Activities.Jobs.LocalJobRunner"/> running the real trainer (<see cref="RealTrainer"/>) as child
/// processes, and the real simulated labeler over the committed tiny lexicons.
/// </summary>
internal sealed class WorkflowHost : IAsyncDisposable
{
    private readonly DurableTaskTestHost _host;

    private readonly bool _ownsRoot;

    private WorkflowHost(DurableTaskTestHost host, LocalArtifactStore store, string root, bool ownsRoot)
    {
        _ownsRoot = ownsRoot;
        _host = host;
        Store = store;
        Root = root;
    }

    public DurableTaskClient Client => _host.Client;

    public IServiceProvider Services => _host.Services;

    public LocalArtifactStore Store { get; }

    public string Root { get; }

    public static async Task<WorkflowHost> StartAsync(IDictionary<string, string>? trainerEnvironment = null, Action<IServiceCollection>? configure = null, string? root = null)
    {
        var ownsRoot = root is null;
        root ??= Directory.CreateTempSubdirectory("rlhf-wf-").FullName;
        var store = new LocalArtifactStore(root);
        var host = await DurableTaskTestHost.StartAsync(
            registry => registry.AddRlhfOrchestrationsAndActivities(),
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    services.AddLogging();
                    services.AddSingleton<IArtifactStore>(store);
                    services.AddRlhfActivities(
                        runner => RealTrainer.Configure(runner, root, trainerEnvironment),
                        labeling => labeling.LexiconDirectory = Path.Combine(AppContext.BaseDirectory, "data", "tiny", "lexicons"));
                    configure?.Invoke(services);
                },
            });
        return new WorkflowHost(host, store, root, ownsRoot);
    }

    /// <summary>Copies the committed tiny data set (corpus, prompts, lexicons) into the store at <c>datasets/tiny/</c>.</summary>
    public Task SeedTinyDatasetAsync() => SeedTinyDatasetAsync(Store);

    /// <inheritdoc cref="SeedTinyDatasetAsync()"/>
    public static async Task SeedTinyDatasetAsync(IArtifactStore store)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "data", "tiny");
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            await store.PutFileAsync($"datasets/tiny/{Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/')}", file);
        }
    }

    /// <summary>Polls the instance (every 100 ms; the client's own wait polls every ~2 s) until it is no longer running.</summary>
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
        if (!_ownsRoot)
        {
            return;
        }

        DeleteFolder(Root);
    }

    /// <summary>
    /// Deletes a test's temp folder. The runner records a trainer's exit code a moment after the job's manifest, so a
    /// file may appear during the delete: retry for a second, then leave the rest to the OS.
    /// </summary>
    public static void DeleteFolder(string root)
    {
        for (var attempt = 1; attempt <= 5 && Directory.Exists(root); attempt++)
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
        }
    }
}

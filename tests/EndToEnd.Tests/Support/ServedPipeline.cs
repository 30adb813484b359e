using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Rlhf.Activities.Jobs;
using Rlhf.Api;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Core.Storage;

namespace Rlhf.EndToEnd.Tests.Support;

/// <summary>
/// One deployment of the pipeline under test: its own task hub, blob container and data folder, served by
/// <c>rlhf serve</c> child processes that can be killed and started again over the same state. The storage is either
/// the shared Azurite (<c>--storage</c>) or, for <see cref="OwnStorage"/>, the Azurite that <c>serve</c> itself runs for
/// the data folder, as a user's <c>rlhf serve</c> does. Runs are started and watched through the HTTP API, artifacts
/// read straight from the container.
/// </summary>
internal sealed class ServedPipeline : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private string _connectionString;
    private int? _azuritePort;
    private bool _started;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ServeProcess? _host;
    private readonly List<ServeProcess> _workers = [];

    public ServedPipeline(string name, string connectionString)
        : this(name, connectionString, azuritePort: null)
    {
    }

    private ServedPipeline(string name, string connectionString, int? azuritePort)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        _connectionString = connectionString;
        _azuritePort = azuritePort;
        TaskHub = $"{name}{suffix}";
        Container = $"{name}-{suffix}";
        DataDir = Directory.CreateTempSubdirectory($"rlhf-e2e-{name}-").FullName;
        Log = new HostLog(Path.Combine(DataDir, "serve.log"));
        Store = new BlobArtifactStore(new BlobContainerClient(connectionString, Container));
    }

    /// <summary>A pipeline whose <c>serve</c> runs its data folder's own Azurite on fresh ports (no <c>--storage</c>).</summary>
    public static ServedPipeline OwnStorage(string name)
    {
        var port = FreePorts.FindConsecutive(3);
        return new ServedPipeline(name, Azurite.ConnectionStringFor(port), port);
    }

    /// <summary>The folder of the Azurite <c>serve</c> runs for <see cref="OwnStorage"/> pipelines.</summary>
    public string AzuriteFolder => Path.Combine(DataDir, "azurite");

    /// <summary>The Azurite port of an <see cref="OwnStorage"/> pipeline.</summary>
    public int AzuritePort => _azuritePort ?? throw new InvalidOperationException("This pipeline uses the shared Azurite.");

    /// <summary>Stops the pipeline's own Azurite gracefully (a storage outage begins).</summary>
    public async Task StopStorageAsync()
    {
        await FolderAzurite.StopAsync(AzuriteFolder);
        Log.Write($"=== test: stopped the data folder's Azurite at {DateTime.UtcNow:O}");
    }

    /// <summary>Starts the pipeline's own Azurite again over the same folder and port (the outage ends).</summary>
    public async Task StartStorageAsync()
    {
        await FolderAzurite.StartAsync(new AzuriteOptions { BlobPort = AzuritePort, Location = AzuriteFolder });
        Log.Write($"=== test: started the data folder's Azurite again at {DateTime.UtcNow:O}");
    }

    public string TaskHub { get; }

    public string Container { get; }

    public string DataDir { get; }

    public HostLog Log { get; }

    public IArtifactStore Store { get; private set; }

    /// <summary>The current host process (after <see cref="StartHostAsync"/>).</summary>
    public ServeProcess Host => _host ?? throw new InvalidOperationException("The host is not running.");

    /// <summary>Starts <c>rlhf serve</c> on a free port over this pipeline's storage: the first start, or a restart after a kill.</summary>
    public async Task StartHostAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _host = await StartServeAsync();
                _started = true;
                return;
            }
            catch (InvalidOperationException e) when (!_started && _azuritePort is not null && attempt < 3 && e.Message.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                // The free ports chosen for the pipeline's own Azurite were taken by another process before it bound them
                // (seen on a shared machine): choose others, before anything was written.
                await FolderAzurite.StopAsync(AzuriteFolder);
                _azuritePort = FreePorts.FindConsecutive(3);
                _connectionString = Azurite.ConnectionStringFor(_azuritePort.Value);
                Store = new BlobArtifactStore(new BlobContainerClient(_connectionString, Container));
            }
        }
    }

    private Task<ServeProcess> StartServeAsync() => StartServeAsync(DataDir);

    private async Task<ServeProcess> StartServeAsync(string dataDir)
    {
        string[] storage = _azuritePort is { } port ? ["--azurite-port", $"{port}"] : ["--storage", _connectionString];
        string[] arguments =
        [
            "--port", "0", .. storage, "--task-hub", TaskHub, "--container", Container, "--data-dir", dataDir, "--verbose",
        ];
        // Trainer scratch folders are per job id; keep them per pipeline so pipelines running side by side never share one.
        var environment = new Dictionary<string, string> { ["RLHF_WORK_DIR"] = Path.Combine(dataDir, "trainer") };
        return await ServeProcess.StartAsync(arguments, environment, Log, StartTimeout);
    }

    /// <summary>
    /// Starts another worker of this pipeline: <c>rlhf serve</c> on the same storage, task hub and container, with a data folder
    /// of its own (as each instance of a scaled-out app has its own disk). The pipeline keeps talking to the first host's API.
    /// </summary>
    public async Task<ServeProcess> StartWorkerAsync(string name)
    {
        var worker = await StartServeAsync(Path.Combine(DataDir, "workers", name));
        _workers.Add(worker);
        return worker;
    }

    /// <summary>The host and the workers still running, by process id.</summary>
    public IReadOnlyList<ServeProcess> Workers => [.. new[] { Host }.Concat(_workers).Where(w => w.IsRunning)];

    /// <summary>kill -9 one worker (its trainers run on); when it served the pipeline's API, another running worker takes that role.</summary>
    public async Task KillWorkerAsync(ServeProcess worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        await worker.KillHardAsync();
        Log.Write($"=== test: killed worker rlhf serve (pid {worker.ProcessId}) with SIGKILL at {DateTime.UtcNow:O}");
        if (worker == _host)
        {
            var next = _workers.First(w => w.IsRunning);
            _workers.Remove(next);
            _workers.Add(worker);
            _host = next;
        }
    }

    /// <summary>kill -9 the host; its trainer children keep running, as after a real crash.</summary>
    public async Task KillHostAsync()
    {
        await Host.KillHardAsync();
        Log.Write($"=== test: killed rlhf serve (pid {Host.ProcessId}) with SIGKILL at {DateTime.UtcNow:O}");
    }

    /// <summary><c>POST /api/runs?runId=</c> with <paramref name="specJson"/>.</summary>
    public async Task StartRunAsync(string runId, string specJson)
    {
        using var content = new StringContent(specJson, System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(Host.ApiUri, $"api/runs?runId={runId}"), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"POST /api/runs answered {(int)response.StatusCode}: {body}");
    }

    public async Task<RunDetail> GetRunAsync(string runId)
    {
        using var response = await _http.GetAsync(new Uri(Host.ApiUri, $"api/runs/{runId}"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /api/runs/{runId} answered {(int)response.StatusCode}: {body}{Environment.NewLine}{Log.Tail()}");
        return JsonSerializer.Deserialize<RunDetail>(body, JsonDefaults.Options)!;
    }

    /// <summary>Polls the run (every 100 ms) until <paramref name="until"/> holds; fails at once if the run ends first.</summary>
    public async Task<RunDetail> WaitForRunAsync(string runId, Func<RunDetail, bool> until, TimeSpan timeout, string what) =>
        await WaitForAsync(runId, async run => until(run) ? run : null, timeout, what);

    /// <summary>
    /// Polls <paramref name="probe"/> (given the run's current state) until it returns a value; fails with the run's
    /// status and the host's log tail when the run ends first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task<T> WaitForAsync<T>(string runId, Func<RunDetail, Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = await GetRunAsync(runId);
            if (await probe(run) is { } found)
            {
                return found;
            }

            if (run.IsFinished || DateTime.UtcNow > deadline)
            {
                Assert.Fail(
                    $"Waited {timeout.TotalSeconds:0} s for {what}; the run is {run.RuntimeStatus}.{Environment.NewLine}{Describe(run)}{Environment.NewLine}{await DescribeRunningInstancesAsync()}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Waits until the run finishes and asserts that it completed.</summary>
    public async Task<RunDetail> WaitForCompletionAsync(string runId, TimeSpan timeout)
    {
        var run = await WaitForRunAsync(runId, r => r.IsFinished, timeout, "the run to finish");
        Assert.True(run.RuntimeStatus == "Completed", $"Run {runId} ended {run.RuntimeStatus}.{Environment.NewLine}{Describe(run)}");
        return run;
    }

    /// <summary>The runner's record of the job's current process (<c>jobs/{jobId}/process.json</c>), or null.</summary>
    public async Task<JobProcessRecord?> ReadProcessRecordAsync(string jobId) =>
        (await Store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess(jobId)))?.Value;

    /// <summary>True once the job writing under <paramref name="output"/> has a complete checkpoint (its <c>checkpoint.json</c> is written last).</summary>
    public async Task<bool> HasCheckpointAsync(string output)
    {
        await foreach (var path in Store.ListAsync($"{output}/checkpoints/"))
        {
            if (path.EndsWith("/checkpoint.json", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public async Task<string> ReadTextAsync(string path) => System.Text.Encoding.UTF8.GetString(await Store.ReadAsync(path));

    /// <summary>The run's status document and the host's log tail, for failure messages.</summary>
    public string Describe(RunDetail? run) =>
        $"Run status: {(run is null ? "(none)" : JsonSerializer.Serialize(run, JsonDefaults.Indented))}{Environment.NewLine}{Log.Tail()}";

    /// <summary>Every running instance of the task hub with its last <paramref name="count"/> history events, read from storage.</summary>
    public async Task<string> DescribeRunningInstancesAsync(int count = 6)
    {
        try
        {
            var engine = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
            {
                StorageAccountClientProvider = new StorageAccountClientProvider(_connectionString),
                TaskHubName = TaskHub,
            });
            var lines = new List<string> { "--- running instances and their last history events ---" };
            foreach (var state in await engine.GetOrchestrationStateAsync(DateTime.MinValue, null, [OrchestrationStatus.Running], CancellationToken.None))
            {
                var history = JsonNode.Parse(await engine.GetOrchestrationHistoryAsync(state.OrchestrationInstance.InstanceId, state.OrchestrationInstance.ExecutionId))!.AsArray();
                lines.Add($"{state.OrchestrationInstance.InstanceId} ({state.Name}), updated {state.LastUpdatedTime:O}:");
                lines.AddRange(history.TakeLast(count).Select(e => $"    {e!.ToJsonString()[..Math.Min(300, e.ToJsonString().Length)]}"));
            }

            return string.Join(Environment.NewLine, lines);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"(could not read the task hub: {e.Message})";
        }
    }

    /// <summary>Stops the host, kills trainer processes of this pipeline it left behind, and deletes the data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        foreach (var orphan in Processes.FindByCommandLine($"/{Container}/jobs/"))
        {
            await Processes.KillHardAsync(orphan);
        }

        if (_azuritePort is not null)
        {
            await FolderAzurite.StopAsync(AzuriteFolder);
        }

        _http.Dispose();
        Log.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // a killed trainer may still hold a file for a moment; the temp folder is cleaned by the OS
        }
    }
}

using Azure.Storage.Blobs;
using DurableTask.AzureStorage;
using Microsoft.Extensions.Logging;

namespace Rlhf.Cli.Hosting;

/// <summary>
/// The Durable Task storage provider of the local host: <see cref="AzureStorageOrchestrationService"/> on the
/// given storage account (Azurite locally), the same provider Durable Functions uses by default, so a killed
/// host resumes its runs from tables, queues and blobs.
/// </summary>
public static class DurableEngine
{
    public static async Task<AzureStorageOrchestrationService> CreateAsync(
        string connectionString, LocalHostOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            TaskHubName = options.TaskHub,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            // One partition keeps idle polling (and CPU) low. With several workers on one hub, one owns the orchestrations
            // (and another takes the lease over when it dies); activities, trainer jobs among them, go to every worker.
            PartitionCount = 1,
            WorkerId = WorkerId(options.DataDir),
            // No app lease (that is for blue/green versions of an app), so a host restarted after a crash starts at once.
            UseAppLease = false,
            // Queue messages a crashed host had dequeued reappear only after these timeouts (Durable's default: 5 minutes,
            // measured: a run killed while labeling stalled 300 s). Messages being processed are renewed, so this only
            // bounds how long a restarted host waits for a dead host's in-flight work.
            ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
            LoggerFactory = loggerFactory,
            CustomMessageTypeBinder = new ProtobufTagsTypeBinder(),
        };
        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync().WaitAsync(cancellationToken);
        return service;
    }

    /// <summary>
    /// The engine's worker id, which owns partition leases: one per data folder, <c>rlhf-local-{machine}-{hash of the folder}</c>.
    /// Stable across restarts, so a restarted host takes its own lease back at once instead of waiting for it to expire; and
    /// distinct for two workers on one machine (each <c>rlhf serve</c> of a scaled-out hub has its own data folder), which
    /// with the machine name alone would both believe they own the same lease and process the same orchestrations.
    /// </summary>
    public static string WorkerId(string dataDir)
    {
        var folder = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(dataDir)));
        return $"rlhf-local-{Environment.MachineName}-{Convert.ToHexStringLower(folder)[..8]}";
    }

    /// <summary>The blob service URI named by a connection string (explicit <c>BlobEndpoint</c> or account name).</summary>
    public static Uri BlobServiceUri(string connectionString) => new BlobServiceClient(connectionString).Uri;
}

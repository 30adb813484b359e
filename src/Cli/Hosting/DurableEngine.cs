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
            // One machine: one partition keeps idle polling (and CPU) low.
            PartitionCount = 1,
            // A stable worker id lets a restarted host take its partition lease back without waiting for it to expire.
            WorkerId = $"rlhf-local-{Environment.MachineName}",
            // One host per task hub: no app lease, so a host restarted after a crash starts at once.
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

    /// <summary>The blob service URI named by a connection string (explicit <c>BlobEndpoint</c> or account name).</summary>
    public static Uri BlobServiceUri(string connectionString) => new BlobServiceClient(connectionString).Uri;
}

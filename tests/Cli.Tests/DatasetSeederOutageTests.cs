using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Storage;

namespace Rlhf.Cli.Tests;

/// <summary>
/// <c>serve</c> restarted while its emulator is not answering yet (or again) waits for it while seeding the built-in
/// datasets, instead of crashing with an unhandled <c>Connection refused</c>.
/// </summary>
public sealed class DatasetSeederOutageTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("rlhf-seed-outage-").FullName;

    [Fact]
    public async Task Seeding_waits_for_storage_that_comes_up_late_and_says_so()
    {
        Directory.CreateDirectory(Path.Combine(_repo, "data", "tiny"));
        await File.WriteAllTextAsync(Path.Combine(_repo, "data", "tiny", "prompts.jsonl"), "{\"prompt\":\"hi\"}\n");
        var port = FreePorts.FindConsecutive(3);
        var store = new BlobArtifactStore(new BlobContainerClient(Azurite.ConnectionStringFor(port), "seed"));
        var logger = new ListLogger();

        // nothing listens on the port yet; the emulator comes up 35 s into seeding, after the storage client's own retries (6 tries, 27 s measured) gave up
        var seeding = DatasetSeeder.SeedAsync(store, _repo, logger);
        await Task.Delay(TimeSpan.FromSeconds(35));
        Assert.False(seeding.IsCompleted);
        await using var azurite = await Azurite.StartAsync(new AzuriteOptions { BlobPort = port, ReuseRunning = false });
        var seeded = await seeding.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(1, seeded);
        Assert.Equal("{\"prompt\":\"hi\"}\n", System.Text.Encoding.UTF8.GetString(await store.ReadAsync("datasets/tiny/prompts.jsonl")));
        Assert.Contains(logger.Lines, l => l.StartsWith("Storage unreachable while seeding datasets/tiny/prompts.jsonl, retrying", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }
    }
}

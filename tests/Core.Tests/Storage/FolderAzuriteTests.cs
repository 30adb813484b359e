using System.Diagnostics;
using Azure.Storage.Blobs;
using Rlhf.Core.Storage;

namespace Rlhf.Core.Tests.Storage;

/// <summary>
/// The data folder's own Azurite (what <c>rlhf serve</c> runs): reused while it lives, never replaced while it is still
/// saving its metadata, and the writes of its last moments survive a restart (docs/durability.md).
/// </summary>
public sealed class FolderAzuriteTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("rlhf-folder-azurite-").FullName;

    [Fact]
    public async Task Is_reused_while_it_lives_and_a_stopping_one_is_waited_out_keeping_its_last_writes()
    {
        var options = new AzuriteOptions { BlobPort = FreePorts.FindConsecutive(3), Location = Path.Combine(_scratch, "azurite") };
        var first = await FolderAzurite.StartAsync(options);
        var firstPid = FolderAzurite.RunningProcessId(options.Location);
        try
        {
            Assert.NotNull(firstPid);

            // a second start over the same folder (a restarted host) reuses the live emulator
            var reused = await FolderAzurite.StartAsync(options);
            Assert.Equal(firstPid, FolderAzurite.RunningProcessId(options.Location));
            Assert.Equal(first.ConnectionString, reused.ConnectionString);

            // writes made just before the emulator is told to stop, then an immediate restart
            var container = new BlobServiceClient(reused.ConnectionString).GetBlobContainerClient("last-moments");
            await container.CreateAsync();
            const int Count = 40;
            for (var i = 0; i < Count; i++)
            {
                await container.UploadBlobAsync($"b{i:00}.txt", BinaryData.FromString($"{i}"));
            }

            using (var term = Process.Start("kill", ["-TERM", $"{firstPid}"]))
            {
                await term.WaitForExitAsync();
            }

            await using var restarted = await FolderAzurite.StartAsync(options);
            var restartedPid = FolderAzurite.RunningProcessId(options.Location);
            Assert.NotNull(restartedPid);
            Assert.NotEqual(firstPid, restartedPid);
            var names = new List<string>();
            await foreach (var blob in new BlobServiceClient(restarted.ConnectionString).GetBlobContainerClient("last-moments").GetBlobsAsync())
            {
                names.Add(blob.Name);
            }

            Assert.Equal(Count, names.Count);
        }
        finally
        {
            await FolderAzurite.StopAsync(options.Location);
        }

        Assert.Null(FolderAzurite.RunningProcessId(options.Location));
        Assert.False(Azurite.IsListening(options.BlobPort));
        Assert.False(Azurite.IsListening(options.BlobPort + 1));
    }

    [Fact]
    public async Task A_port_held_by_another_process_is_a_clear_error_not_a_reuse()
    {
        await using var foreign = await Azurite.StartInMemoryOnFreePortsAsync();
        var options = new AzuriteOptions { BlobPort = foreign.BlobPort, Location = Path.Combine(_scratch, "azurite"), StartTimeout = TimeSpan.FromSeconds(2) };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FolderAzurite.StartAsync(options));

        Assert.Contains($"Port {foreign.BlobPort} is in use", error.Message, StringComparison.Ordinal);
        Assert.Contains("--azurite-port", error.Message, StringComparison.Ordinal);
        Assert.Null(FolderAzurite.RunningProcessId(options.Location));
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}

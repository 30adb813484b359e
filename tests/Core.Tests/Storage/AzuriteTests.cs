using System.Diagnostics;
using System.Runtime.Versioning;
using Azure.Storage.Blobs;
using Rlhf.Core.Storage;

namespace Rlhf.Core.Tests.Storage;

public sealed class AzuriteTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("rlhf-azurite-").FullName;

    [Fact]
    public async Task Starts_is_reachable_reuses_a_listening_instance_and_stops_what_it_started()
    {
        var owner = await Azurite.StartInMemoryOnFreePortsAsync();
        try
        {
            var container = new BlobServiceClient(owner.ConnectionString).GetBlobContainerClient("probe");
            await container.CreateAsync();
            await container.UploadBlobAsync("hello.txt", BinaryData.FromString("hello"));

            await using (var reused = await Azurite.StartAsync(new AzuriteOptions { BlobPort = owner.BlobPort }))
            {
                Assert.False(reused.OwnsProcess);
                Assert.Equal(owner.ConnectionString, reused.ConnectionString);
            }

            Assert.True(owner.OwnsProcess);
            Assert.Equal("hello", (await container.GetBlobClient("hello.txt").DownloadContentAsync()).Value.Content.ToString());
            Assert.True(Azurite.IsListening(owner.BlobPort + 1) && Azurite.IsListening(owner.BlobPort + 2));
        }
        finally
        {
            await owner.DisposeAsync();
        }

        Assert.False(Azurite.IsListening(owner.BlobPort));
    }

    [Fact]
    public async Task Persists_to_a_location_across_restarts()
    {
        var options = new AzuriteOptions { BlobPort = FreePorts.FindConsecutive(3), Location = Path.Combine(_scratch, "data"), ReuseRunning = false };
        await using (var first = await Azurite.StartAsync(options))
        {
            var container = new BlobServiceClient(first.ConnectionString).GetBlobContainerClient("kept");
            await container.CreateAsync();
            await container.UploadBlobAsync("a.txt", BinaryData.FromString("kept"));
            Assert.Equal(Path.Combine(options.Location, "azurite.log"), first.LogFile);
        }

        await using var second = await Azurite.StartAsync(options);
        var blob = new BlobServiceClient(second.ConnectionString).GetBlobContainerClient("kept").GetBlobClient("a.txt");
        Assert.Equal("kept", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task A_started_azurite_stops_itself_when_its_owner_dies()
    {
        using var owner = Process.Start(new ProcessStartInfo("sleep", "60"))!;
        var port = FreePorts.FindConsecutive(3);
        var start = new ProcessStartInfo(AzuriteBinary.FindInRepo(AppContext.BaseDirectory))
        {
            ArgumentList = { "--silent", "--inMemoryPersistence", "--blobPort", $"{port}", "--queuePort", $"{port + 1}", "--tablePort", $"{port + 2}" },
            RedirectStandardOutput = true,
        };
        AzuriteWatchdog.Attach(start.Environment, owner.Id);
        using var azurite = Process.Start(start)!;
        try
        {
            for (var waited = 0; !Azurite.IsListening(port + 2) && waited < 150; waited++)
            {
                await Task.Delay(100);
            }

            await using (await Azurite.StartAsync(new AzuriteOptions { BlobPort = port }))
            {
                // Reused (not owned): waits until it answers, leaves it running.
            }

            Assert.False(azurite.HasExited);
            owner.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await azurite.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            owner.Kill();
            azurite.Kill();
        }
    }

    [Fact]
    public void Missing_node_modules_says_to_run_npm_ci()
    {
        var repo = Directory.CreateDirectory(Path.Combine(_scratch, "repo", "src", "deep")).Parent!.Parent!.FullName;
        File.WriteAllText(Path.Combine(repo, "package.json"), "{ \"dependencies\": { \"azurite\": \"3.35.0\" } }");

        var error = Assert.Throws<FileNotFoundException>(() => AzuriteBinary.FindInRepo(Path.Combine(repo, "src", "deep")));

        Assert.Contains("npm ci", error.Message, StringComparison.Ordinal);
        Assert.Contains("Node.js 20", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(repo, "node_modules", ".bin", "azurite"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Finds_the_repos_own_azurite_from_the_test_output_folder()
    {
        var binary = AzuriteBinary.FindInRepo(AppContext.BaseDirectory);

        Assert.EndsWith(Path.Combine("node_modules", ".bin", "azurite"), binary, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(binary)))!, "package.json")));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // a shell-script stand-in for the binary
    public async Task A_binary_that_never_answers_times_out_naming_the_binary_and_log()
    {
        var fake = Path.Combine(_scratch, "fake-azurite");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\necho fake azurite starting\nsleep 60\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new AzuriteOptions
        {
            BlobPort = FreePorts.FindConsecutive(3),
            Binary = fake,
            LogFile = Path.Combine(_scratch, "fake.log"),
            StartTimeout = TimeSpan.FromSeconds(2),
        };

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Azurite.StartAsync(options));

        Assert.Contains(fake, error.Message, StringComparison.Ordinal);
        Assert.Contains(options.LogFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("fake azurite starting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_binary_fails_with_its_path_and_the_node_hint()
    {
        var options = new AzuriteOptions { BlobPort = FreePorts.FindConsecutive(3), Binary = Path.Combine(_scratch, "no-such-azurite") };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Azurite.StartAsync(options));

        Assert.Contains(options.Binary, error.Message, StringComparison.Ordinal);
        Assert.Contains("Node.js 20", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Free_ports_are_consecutive_and_bindable()
    {
        var first = FreePorts.FindConsecutive(3);

        Assert.All(Enumerable.Range(first, 3), port => Assert.True(FreePorts.IsFree(port)));
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}

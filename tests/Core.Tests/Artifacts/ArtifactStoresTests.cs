using Rlhf.Core.Artifacts;
using Rlhf.Tests.Shared;

namespace Rlhf.Core.Tests.Artifacts;

[Collection(AzuriteCollection.Name)]
public sealed class ArtifactStoresTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-open-").FullName;

    [Fact]
    public async Task A_folder_path_opens_a_local_store_there()
    {
        var store = ArtifactStores.Open(_root);
        await store.PutAsync("runs/r1/a.txt", "a"u8.ToArray());

        var local = Assert.IsType<LocalArtifactStore>(store);
        Assert.Equal(_root, store.Location);
        Assert.True(File.Exists(Path.Combine(_root, "runs", "r1", "a.txt")));
        Assert.Equal(new Uri(Path.Combine(_root, "runs", "r1", "a.txt")), local.GetUri("runs/r1/a.txt"));
    }

    [Fact]
    public async Task A_file_uri_opens_a_local_store_at_its_path()
    {
        var uri = new Uri(_root).AbsoluteUri;

        var store = ArtifactStores.Open(uri);
        await store.PutAsync("x.txt", "x"u8.ToArray());

        Assert.IsType<LocalArtifactStore>(store);
        Assert.Equal(uri, store.Location);
        Assert.True(File.Exists(Path.Combine(_root, "x.txt")));
    }

    [Fact]
    public async Task An_azurite_uri_opens_a_blob_store_with_the_well_known_key()
    {
        var containerUri = azurite.NewContainerUri();

        var store = ArtifactStores.Open(containerUri.AbsoluteUri);
        await store.PutAsync("runs/r1/a.txt", "a"u8.ToArray());

        var blob = Assert.IsType<BlobArtifactStore>(store);
        Assert.Equal(containerUri.AbsoluteUri, store.Location);
        Assert.Equal(new Uri($"{containerUri.AbsoluteUri}/runs/r1/a.txt"), store.GetUri("runs/r1/a.txt"));
        var container = azurite.BlobService.GetBlobContainerClient(blob.Container.Name);
        Assert.Equal("a", (await container.GetBlobClient("runs/r1/a.txt").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public void An_azure_uri_opens_a_blob_store_for_that_account_and_container()
    {
        var store = ArtifactStores.Open("https://rlhfprod.blob.core.windows.net/models");

        var blob = Assert.IsType<BlobArtifactStore>(store);
        Assert.Equal("rlhfprod", blob.Container.AccountName);
        Assert.Equal("models", blob.Container.Name);
    }

    [Fact]
    public async Task A_non_azurite_uri_uses_the_connection_string_variable_when_set()
    {
        var container = azurite.NewContainer("viaenv");
        var previous = Environment.GetEnvironmentVariable(ArtifactStores.ConnectionStringVariable);
        Environment.SetEnvironmentVariable(ArtifactStores.ConnectionStringVariable, azurite.ConnectionString);
        try
        {
            var store = ArtifactStores.Open($"https://rlhfprod.blob.core.windows.net/{container.Name}");
            await store.PutAsync("a.txt", "a"u8.ToArray());

            Assert.Equal("a", (await container.GetBlobClient("a.txt").DownloadContentAsync()).Value.Content.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(ArtifactStores.ConnectionStringVariable, previous);
        }
    }

    [Theory]
    [InlineData("ftp://host/x")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/models/a.json")]
    public void Unusable_locations_are_rejected_by_name(string location)
    {
        var error = Assert.Throws<ArgumentException>(() => ArtifactStores.Open(location));

        Assert.Contains(location, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenFile_resolves_a_blob_uri_to_its_container_and_path()
    {
        var containerUri = azurite.NewContainerUri("jobs");
        await ArtifactStores.Open(containerUri.AbsoluteUri).PutAsync("jobs/j1/spec.json", "{}"u8.ToArray());

        var (store, path) = ArtifactStores.OpenFile($"{containerUri.AbsoluteUri}/jobs/j1/spec.json");

        Assert.Equal("jobs/j1/spec.json", path);
        Assert.Equal("{}"u8.ToArray(), await store.ReadAsync(path));
    }

    [Fact]
    public async Task OpenFile_resolves_a_local_path_to_its_folder_and_name()
    {
        var file = Path.Combine(_root, "spec.json");
        await File.WriteAllTextAsync(file, "{}");

        var (store, path) = ArtifactStores.OpenFile(file);
        var (fromUri, uriPath) = ArtifactStores.OpenFile(new Uri(file).AbsoluteUri);

        Assert.Equal("spec.json", path);
        Assert.Equal("{}"u8.ToArray(), await store.ReadAsync(path));
        Assert.Equal("{}"u8.ToArray(), await fromUri.ReadAsync(uriPath));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

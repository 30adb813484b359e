using Azure.Storage.Blobs;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Storage;

namespace Rlhf.Tests.Shared;

/// <summary>
/// Test classes marked <c>[Collection(AzuriteCollection.Name)]</c> share one in-memory Azurite, started on three fresh
/// ports for the collection and stopped after it. Link into a test project with
/// <c>&lt;Compile Include="..\Shared\*.cs" LinkBase="Shared" /&gt;</c> (the project must reference src/Core).
/// </summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}

public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private BlobServiceClient? _blobService;

    public Azurite Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not started yet.");

    /// <summary>Connection string with explicit Blob/Queue/Table endpoints (for Durable Task, Functions settings, SDK clients).</summary>
    public string ConnectionString => Azurite.ConnectionString;

    /// <summary><c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri BlobServiceUri => Azurite.BlobServiceUri;

    public BlobServiceClient BlobService => _blobService ?? throw new InvalidOperationException("Azurite has not started yet.");

    /// <summary>A client for a container no other test uses (not created yet; stores create it on first write).</summary>
    public BlobContainerClient NewContainer(string prefix = "test") => BlobService.GetBlobContainerClient(NewContainerName(prefix));

    /// <summary>The URI of a fresh container, the form <see cref="ArtifactStores.Open"/> and job specs take.</summary>
    public Uri NewContainerUri(string prefix = "test") => Azurite.ContainerUri(NewContainerName(prefix));

    /// <summary>A <see cref="BlobArtifactStore"/> over a fresh container.</summary>
    public BlobArtifactStore NewStore(string prefix = "test") => new(NewContainer(prefix));

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartInMemoryOnFreePortsAsync();
        _blobService = new BlobServiceClient(_azurite.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>Container names: 3-63 chars of lowercase letters, digits and single hyphens.</summary>
    private static string NewContainerName(string prefix)
    {
        var clean = new string([.. prefix.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(24)]);
        return $"{(clean.Length == 0 ? "test" : clean)}-{Guid.NewGuid():N}";
    }
}

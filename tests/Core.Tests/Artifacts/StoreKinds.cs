using Rlhf.Core.Artifacts;
using Rlhf.Tests.Shared;

namespace Rlhf.Core.Tests.Artifacts;

/// <summary>Creates a fresh, empty store of either kind, so one theory runs against the local folder and Azurite.</summary>
public sealed class StoreKinds(AzuriteFixture azurite) : IDisposable
{
    public const string Local = "local";
    public const string Blob = "blob";

    private readonly List<string> _folders = [];

    public static TheoryData<string> All => [Local, Blob];

    /// <summary>The folder that contains every local store root (to check nothing escaped a root).</summary>
    public string Sandbox { get; } = Directory.CreateTempSubdirectory("rlhf-store-").FullName;

    public IArtifactStore Create(string kind) => kind switch
    {
        Local => new LocalArtifactStore(NewFolder()),
        Blob => azurite.NewStore(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public string NewFolder()
    {
        var folder = Path.Combine(Sandbox, $"root-{_folders.Count}");
        _folders.Add(folder);
        return folder;
    }

    /// <summary>A local file with the given bytes, for PutFileAsync.</summary>
    public string NewFile(byte[] content)
    {
        var file = Path.Combine(Sandbox, $"file-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Sandbox, recursive: true);
}

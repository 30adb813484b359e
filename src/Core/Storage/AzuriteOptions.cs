namespace Rlhf.Core.Storage;

/// <summary>How <see cref="Azurite.StartAsync"/> finds, starts or reuses Azurite.</summary>
public sealed record AzuriteOptions
{
    /// <summary>Blob service port; the queue and table services listen on the next two ports.</summary>
    public int BlobPort { get; init; } = 10000;

    /// <summary>Data folder (<c>--location</c>); null keeps everything in memory (<c>--inMemoryPersistence</c>).</summary>
    public string? Location { get; init; }

    /// <summary>An azurite executable; null: <c>RLHF_AZURITE_BIN</c>, else the repo's <c>node_modules/.bin/azurite</c>.</summary>
    public string? Binary { get; init; }

    /// <summary>Folder to search upwards from for the repo's <c>package.json</c>; null: <see cref="AppContext.BaseDirectory"/>.</summary>
    public string? SearchFrom { get; init; }

    /// <summary>Where Azurite's console output goes; null: <c>azurite.log</c> in <see cref="Location"/>, or a temp file.</summary>
    public string? LogFile { get; init; }

    /// <summary>Use an Azurite already listening on <see cref="BlobPort"/> instead of failing.</summary>
    public bool ReuseRunning { get; init; } = true;

    /// <summary>How long to wait for the blob service to answer requests.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

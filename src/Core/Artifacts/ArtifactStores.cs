using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Rlhf.Core.Storage;

namespace Rlhf.Core.Artifacts;

/// <summary>
/// Opens an <see cref="IArtifactStore"/> from the location string that travels in specs and settings.
/// <list type="bullet">
/// <item>A folder path or <c>file://</c> URI: <see cref="LocalArtifactStore"/>.</item>
/// <item><c>http(s)://127.0.0.1:10000/devstoreaccount1/{container}</c> (Azurite, path-style; also <c>localhost</c>):
/// a <see cref="BlobArtifactStore"/> with Azurite's public well-known key.</item>
/// <item><c>https://{account}.blob.core.windows.net/{container}</c>: a <see cref="BlobArtifactStore"/> authenticated by the
/// connection string in <c>RLHF_STORAGE_CONNECTION_STRING</c> when set (the container still comes from the URI), else by
/// <see cref="DefaultAzureCredential"/> (managed identity in Azure; no account keys).</item>
/// </list>
/// </summary>
public static class ArtifactStores
{
    /// <summary>Environment variable with a storage connection string for non-Azurite blob URIs.</summary>
    public const string ConnectionStringVariable = "RLHF_STORAGE_CONNECTION_STRING";

    private static readonly Lazy<TokenCredential> AzureCredential = new(() => new DefaultAzureCredential());

    public static IArtifactStore Open(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (!LooksLikeUri(location))
        {
            return new LocalArtifactStore(location);
        }

        var uri = ParseUri(location);
        if (uri.IsFile)
        {
            return new LocalArtifactStore(uri.LocalPath, location);
        }

        var blob = BlobLocation.Parse(uri);
        if (blob.BlobName.Length > 0)
        {
            throw new ArgumentException($"Store location '{location}' must name a container, not a blob ('{blob.BlobName}').", nameof(location));
        }

        return new BlobArtifactStore(ContainerClient(blob), location);
    }

    /// <summary>
    /// A single artifact given as a blob URI (<c>.../{container}/{path}</c>) or a file path / <c>file://</c> URI, as the
    /// store that holds it and its path there. The file name of a local file must be a valid <see cref="ArtifactPath"/> segment.
    /// </summary>
    public static (IArtifactStore Store, string Path) OpenFile(string uriOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uriOrPath);
        var uri = LooksLikeUri(uriOrPath) ? ParseUri(uriOrPath) : null;
        if (uri is null || uri.IsFile)
        {
            var file = Path.GetFullPath(uri?.LocalPath ?? uriOrPath);
            return (new LocalArtifactStore(Path.GetDirectoryName(file)!), ArtifactPath.Normalize(Path.GetFileName(file)));
        }

        var blob = BlobLocation.Parse(uri);
        if (blob.BlobName.Length == 0)
        {
            throw new ArgumentException($"'{uriOrPath}' names a container, not a blob.", nameof(uriOrPath));
        }

        return (new BlobArtifactStore(ContainerClient(blob)), ArtifactPath.Normalize(blob.BlobName));
    }

    private static BlobContainerClient ContainerClient(BlobLocation blob)
    {
        if (blob.IsAzurite)
        {
            return new BlobContainerClient(blob.ContainerUri, new StorageSharedKeyCredential(Azurite.AccountName, Azurite.AccountKey));
        }

        var connectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        return string.IsNullOrWhiteSpace(connectionString)
            ? new BlobContainerClient(blob.ContainerUri, AzureCredential.Value)
            : new BlobContainerClient(connectionString, blob.Container);
    }

    private static bool LooksLikeUri(string location) => location.Contains("://", StringComparison.Ordinal);

    private static Uri ParseUri(string location) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.IsFile || uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"'{location}' is neither a folder, a file:// URI nor an http(s) blob URI.", nameof(location));

    /// <summary>A blob URI split into its parts; path-style (<c>host/account/container</c>) on loopback hosts, as Azurite serves it.</summary>
    private sealed record BlobLocation(Uri ContainerUri, string Account, string Container, string BlobName, bool IsAzurite)
    {
        public static BlobLocation Parse(Uri uri)
        {
            var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            var pathStyle = uri.IsLoopback || System.Net.IPAddress.TryParse(uri.Host, out _);
            var account = pathStyle ? segments.ElementAtOrDefault(0) : uri.Host.Split('.')[0];
            var skip = pathStyle ? 1 : 0;
            if (account is null || segments.Length <= skip)
            {
                throw new ArgumentException(
                    $"Blob URI '{uri}' names no container; expected https://{{account}}.blob.core.windows.net/{{container}} or http://127.0.0.1:{{port}}/{{account}}/{{container}}.");
            }

            var container = segments[skip];
            var service = pathStyle ? $"{uri.GetLeftPart(UriPartial.Authority)}/{account}" : uri.GetLeftPart(UriPartial.Authority);
            return new BlobLocation(
                new Uri($"{service}/{container}"),
                account,
                container,
                string.Join('/', segments.Skip(skip + 1)),
                IsAzurite: uri.IsLoopback && account == Azurite.AccountName);
        }
    }
}

namespace Rlhf.Api;

/// <summary>Settings of the HTTP API, bound from the <c>RlhfApi</c> configuration section.</summary>
public sealed class RlhfApiOptions
{
    public const string SectionName = "RlhfApi";

    /// <summary>Largest run spec body accepted by <c>POST /api/runs</c>; bigger bodies get 413.</summary>
    public long MaxSpecBytes { get; set; } = 1024 * 1024;

    /// <summary>Page size of <c>GET /api/runs</c> when the caller gives none.</summary>
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>Largest page size a caller may ask for.</summary>
    public int MaxPageSize { get; set; } = 500;

    /// <summary>
    /// The URL people and tools reach this API at (<c>https://rlhf.example.com/</c>): the base of every link the API
    /// writes (<c>Location</c>, run links, signed labeling links), so a request's <c>Host</c> header is never reflected.
    /// Null: the address the connection arrived at (the local host), or <c>https://{WEBSITE_HOSTNAME}</c> in a Function App.
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>Host names the local host answers besides loopback names and <see cref="PublicUrl"/>'s host (a LAN name, say).</summary>
    public List<string> AllowedHosts { get; set; } = [];
}

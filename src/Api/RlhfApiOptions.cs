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
}

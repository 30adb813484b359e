namespace Rlhf.Api.Labeling;

/// <summary>Settings of the human labeling endpoints, bound from the <c>Rlhf:Labeling</c> configuration section.</summary>
public sealed class LabelingApiOptions
{
    public const string SectionName = "Rlhf:Labeling";

    /// <summary>
    /// HMAC-SHA256 key that signs labeling links, base64, at least 32 bytes. Required by the Function App outside
    /// Development (every instance must share it; infra/bicep sets it as a Key Vault reference), never defaulted there.
    /// When unset, the local host (and `func start` in Development) generates one and keeps it in <see cref="DevKeyFile"/>
    /// so links survive restarts.
    /// </summary>
    public string? TokenKey { get; set; }

    /// <summary>Where a generated development key lives; null: <c>labeling-token.key</c> in the host's content root (the local host's data dir, <c>.rlhf/</c>).</summary>
    public string? DevKeyFile { get; set; }

    /// <summary>Lifetime of a link when the caller gives none.</summary>
    public int DefaultTtlMinutes { get; set; } = 24 * 60;

    /// <summary>Longest lifetime a caller may ask for.</summary>
    public int MaxTtlMinutes { get; set; } = 30 * 24 * 60;

    /// <summary>Largest submission body accepted; bigger bodies get 413.</summary>
    public long MaxSubmissionBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest free-text reason kept per answer.</summary>
    public int MaxReasonLength { get; set; } = 2000;
}

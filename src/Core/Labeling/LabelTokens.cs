using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rlhf.Core.Labeling;

/// <summary>What a labeling link grants: one labeler, one batch of one run, until <see cref="ExpiresAt"/>; the nonce makes every link distinct.</summary>
public sealed record LabelTokenClaims(string RunId, int BatchIndex, string Labeler, DateTimeOffset ExpiresAt, string Nonce);

public enum LabelTokenFailure
{
    /// <summary>Not two base64url parts, or a payload that is not the claims (→ 401).</summary>
    Malformed,

    /// <summary>The HMAC does not match: forged, tampered with, or signed with another key (→ 401).</summary>
    BadSignature,

    /// <summary>Past <see cref="LabelTokenClaims.ExpiresAt"/> (→ 401).</summary>
    Expired,

    /// <summary>Genuine, but for another run or batch than the one asked about (→ 403).</summary>
    WrongScope,
}

/// <summary>The outcome of <see cref="LabelTokens.Verify"/>: the claims, or why the token was refused.</summary>
public sealed record LabelTokenCheck(LabelTokenClaims? Claims, LabelTokenFailure? Failure, string? Reason)
{
    public bool IsValid => Claims is not null;
}

/// <summary>
/// Signed, self-contained labeling tokens: <c>base64url(claims JSON) "." base64url(HMAC-SHA256(key, claims part))</c>.
/// Nothing is stored per token: the signature proves the Api issued it, the claims say for what and until when.
/// Replays are not refused here; the submission store makes a replay idempotent (one write-once file per labeler and batch).
/// </summary>
public sealed partial class LabelTokens
{
    /// <summary>Smallest key accepted (the HMAC-SHA256 block of security).</summary>
    public const int MinKeyBytes = 32;

    private readonly byte[] _key;
    private readonly TimeProvider _clock;

    public LabelTokens(byte[] key, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(clock);
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"A labeling token key needs at least {MinKeyBytes} bytes; this one has {key.Length}.", nameof(key));
        }

        _key = (byte[])key.Clone();
        _clock = clock;
    }

    /// <summary>Labeler ids go into file names and the <c>human:{ids}</c> labeler field: lower-case letters, digits, '.', '_' and '-', 1–64 characters.</summary>
    public static string? FindLabelerError(string? labeler) =>
        labeler is not null && LabelerPattern().IsMatch(labeler)
            ? null
            : $"'{labeler}' is not a labeler id: use 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.";

    /// <summary>A fresh token for one labeler and one batch, valid for <paramref name="ttl"/>.</summary>
    public string Issue(string runId, int batchIndex, string labeler, TimeSpan ttl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        if (FindLabelerError(labeler) is { } error)
        {
            throw new ArgumentException(error, nameof(labeler));
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds((_clock.GetUtcNow() + ttl).ToUnixTimeSeconds());
        return Sign(new LabelTokenClaims(runId, batchIndex, labeler, expires, Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12))));
    }

    /// <summary>Signs given claims (tests use it to make expired tokens).</summary>
    public string Sign(LabelTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var wire = new WireClaims(claims.RunId, claims.BatchIndex, claims.Labeler, claims.ExpiresAt.ToUnixTimeSeconds(), claims.Nonce);
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(wire, WireJson));
        return $"{payload}.{Base64Url.EncodeToString(Mac(payload))}";
    }

    /// <summary>
    /// Checks the signature (in constant time), then the expiry, then — when given — that the token is for
    /// <paramref name="runId"/> and <paramref name="batchIndex"/>.
    /// </summary>
    public LabelTokenCheck Verify(string? token, string? runId = null, int? batchIndex = null)
    {
        var parts = token?.Split('.') ?? [];
        if (parts.Length != 2 || !Base64Url.IsValid(parts[0]) || !Base64Url.IsValid(parts[1]))
        {
            return Refuse(LabelTokenFailure.Malformed, "The labeling token is missing or malformed.");
        }

        if (!CryptographicOperations.FixedTimeEquals(Mac(parts[0]), Base64Url.DecodeFromChars(parts[1])))
        {
            return Refuse(LabelTokenFailure.BadSignature, "The labeling token's signature is not valid.");
        }

        WireClaims? wire;
        try
        {
            wire = JsonSerializer.Deserialize<WireClaims>(Base64Url.DecodeFromChars(parts[0]), WireJson);
        }
        catch (JsonException)
        {
            wire = null;
        }

        if (wire is null || string.IsNullOrEmpty(wire.R) || wire.B < 0 || FindLabelerError(wire.L) is not null || string.IsNullOrEmpty(wire.N))
        {
            return Refuse(LabelTokenFailure.Malformed, "The labeling token's claims are incomplete.");
        }

        var claims = new LabelTokenClaims(wire.R, wire.B, wire.L, DateTimeOffset.FromUnixTimeSeconds(wire.E), wire.N);
        if (_clock.GetUtcNow() >= claims.ExpiresAt)
        {
            return Refuse(LabelTokenFailure.Expired, $"The labeling link expired at {claims.ExpiresAt:u}; ask for a new one.");
        }

        if ((runId is not null && !string.Equals(runId, claims.RunId, StringComparison.Ordinal)) || (batchIndex is not null && batchIndex != claims.BatchIndex))
        {
            return Refuse(LabelTokenFailure.WrongScope, $"This link is for batch {claims.BatchIndex} of run '{claims.RunId}' only.");
        }

        return new LabelTokenCheck(claims, null, null);
    }

    private static LabelTokenCheck Refuse(LabelTokenFailure failure, string reason) => new(null, failure, reason);

    private byte[] Mac(string payload) => HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload));

    private static readonly JsonSerializerOptions WireJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex LabelerPattern();

    /// <summary>Short field names keep links short: run, batch, labeler, expiry (Unix seconds), nonce.</summary>
    private sealed record WireClaims(string R, int B, string L, long E, string N);
}

using System.Security.Cryptography;
using System.Text;

namespace Rlhf.Api;

/// <summary>
/// The continuation tokens of <c>GET /api/runs</c>: the storage provider's token, base64url-encoded with a checksum, so
/// a token the API never issued (typed by hand, truncated, garbage) is a 400 rather than a quiet empty page.
/// </summary>
public static class ContinuationTokens
{
    private const int MaxLength = 8192;

    public static string Wrap(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var bytes = Encoding.UTF8.GetBytes(token);
        return $"{Base64Url(bytes)}.{Base64Url(Checksum(bytes))}";
    }

    public static bool TryUnwrap(string wrapped, out string? token)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        token = null;
        var dot = wrapped.IndexOf('.', StringComparison.Ordinal);
        if (wrapped.Length > MaxLength || dot <= 0)
        {
            return false;
        }

        try
        {
            var bytes = FromBase64Url(wrapped[..dot]);
            if (!CryptographicOperations.FixedTimeEquals(FromBase64Url(wrapped[(dot + 1)..]), Checksum(bytes)))
            {
                return false;
            }

            token = Encoding.UTF8.GetString(bytes);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static byte[] Checksum(byte[] bytes) => SHA256.HashData(bytes)[..12];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}

using System.Security.Cryptography;
using Rlhf.Core.Labeling;

namespace Rlhf.Api.Labeling;

/// <summary>The signing key of labeling links: <see cref="LabelingApiOptions.TokenKey"/>, else a generated development key kept on disk.</summary>
public static class LabelTokenKey
{
    public const string DevKeyFileName = "labeling-token.key";

    /// <summary>How an App Service Key Vault reference reads when the platform could not resolve it (the app then sees the literal).</summary>
    public const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>Whether a configured key is usable: base64 of at least <see cref="LabelTokens.MinKeyBytes"/> bytes.</summary>
    public static bool IsValid(string? base64)
    {
        try
        {
            return base64 is not null && Convert.FromBase64String(base64).Length >= LabelTokens.MinKeyBytes;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static byte[] Resolve(LabelingApiOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.TokenKey))
        {
            return Decode(options.TokenKey, $"{LabelingApiOptions.SectionName}:TokenKey");
        }

        var file = options.DevKeyFile ?? Path.Combine(contentRoot, DevKeyFileName);
        if (File.Exists(file))
        {
            return Decode(File.ReadAllText(file).Trim(), file);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var key = RandomNumberGenerator.GetBytes(LabelTokens.MinKeyBytes);
        try
        {
            // CreateNew: two hosts starting at once must not overwrite each other's key.
            using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            using var writer = new StreamWriter(stream);
            writer.Write(Convert.ToBase64String(key));
        }
        catch (IOException) when (File.Exists(file))
        {
            return Decode(File.ReadAllText(file).Trim(), file);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }

    private static byte[] Decode(string base64, string source)
    {
        if (base64.StartsWith(KeyVaultReferencePrefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The labeling token key in {source} is an unresolved Key Vault reference: the app's identity cannot read the secret.");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"The labeling token key in {source} is not base64.", e);
        }

        return key.Length >= LabelTokens.MinKeyBytes
            ? key
            : throw new InvalidOperationException($"The labeling token key in {source} has {key.Length} bytes; it needs at least {LabelTokens.MinKeyBytes}.");
    }
}

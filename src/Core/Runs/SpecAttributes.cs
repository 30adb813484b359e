namespace Rlhf.Core.Runs;

/// <summary>The value is a path in the artifact store (checked with <see cref="Artifacts.ArtifactPath"/>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class StorePathAttribute : Attribute;

/// <summary>The value is a short identifier: 1–64 of <c>A-Z a-z 0-9 - _ .</c>, starting with a letter or digit.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IdentifierNameAttribute : Attribute
{
    public static bool IsValid(string value) =>
        value.Length is > 0 and <= 64
        && char.IsAsciiLetterOrDigit(value[0])
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>The value is a torch device name: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TorchDeviceAttribute : Attribute
{
    public static bool IsValid(string value) =>
        value is "cpu" or "cuda" || (value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value.AsSpan(5), out var n) && n >= 0);
}

/// <summary>The value names an app setting (environment variable): 1–128 of <c>A-Z a-z 0-9 _ : . -</c>, starting with a letter.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingNameAttribute : Attribute
{
    public static bool IsValid(string value) =>
        value.Length is > 0 and <= 128
        && char.IsAsciiLetter(value[0])
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':' or '.' or '-');
}

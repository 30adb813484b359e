namespace Rlhf.Core.Artifacts;

/// <summary>
/// The one rule for artifact names, applied by every store to every path so a name can never reach
/// outside the store root (no path traversal) and means the same thing on disk and in Blob Storage.
/// <para>
/// A path is relative and '/'-separated, at most <see cref="MaxLength"/> characters. Each segment is
/// non-empty, does not start with '.' (which rules out <c>.</c> and <c>..</c> and reserves hidden names
/// for the stores' own temp and lock files), and uses only <c>A-Z a-z 0-9 . _ = -</c>. So no
/// backslashes, spaces, colons, control characters or leading '/'.
/// </para>
/// Nothing is rewritten: the only accepted spelling of a name is its canonical one, so two different
/// strings can never alias one artifact.
/// </summary>
public static class ArtifactPath
{
    public const int MaxLength = 1024;

    /// <summary>The characters allowed inside a segment, besides ASCII letters and digits.</summary>
    public const string AllowedPunctuation = "._=-";

    /// <summary>Throws <see cref="ArgumentException"/> (naming the path and the offending segment) unless <paramref name="path"/> is a valid artifact path.</summary>
    public static void Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var error = FindError(path, allowPrefix: false);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(path));
        }
    }

    /// <summary>Validates <paramref name="path"/> and returns it, for inline use.</summary>
    public static string Normalize(string path)
    {
        Validate(path);
        return path;
    }

    /// <summary>
    /// Validates a listing prefix and returns it: empty (everything), a path, or a path ending in '/'.
    /// A prefix matches by string, as in Blob Storage: <c>runs/a</c> matches <c>runs/a/x</c> and <c>runs/ab</c>.
    /// </summary>
    public static string NormalizePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var error = prefix.Length == 0 ? null : FindError(prefix, allowPrefix: true);
        return error is null ? prefix : throw new ArgumentException(error, nameof(prefix));
    }

    /// <summary>Joins a prefix (with or without a trailing '/') and a relative name, and validates the result.</summary>
    public static string Combine(string prefix, string name)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(name);
        return Normalize(prefix.Length == 0 ? name : $"{prefix.TrimEnd('/')}/{name}");
    }

    /// <summary>True when <paramref name="path"/> is a valid artifact path.</summary>
    public static bool IsValid(string? path) => path is not null && FindError(path, allowPrefix: false) is null;

    private static string? FindError(string path, bool allowPrefix)
    {
        var kind = allowPrefix ? "prefix" : "path";
        if (path.Length == 0)
        {
            return $"Artifact {kind} is empty.";
        }

        if (path.Length > MaxLength)
        {
            return $"Artifact {kind} '{path[..64]}...' is {path.Length} characters long; the limit is {MaxLength}.";
        }

        if (path[0] == '/')
        {
            return $"Artifact {kind} '{Printable(path)}' is absolute; use a path relative to the store root.";
        }

        var segments = path.Split('/');
        var last = allowPrefix && path[^1] == '/' ? segments.Length - 1 : segments.Length;
        for (var i = 0; i < last; i++)
        {
            var problem = SegmentProblem(segments[i]);
            if (problem is not null)
            {
                return $"Artifact {kind} '{Printable(path)}' has an invalid segment '{Printable(segments[i])}': {problem}.";
            }
        }

        return null;
    }

    private static string? SegmentProblem(string segment)
    {
        if (segment.Length == 0)
        {
            return "empty segment (leading, trailing or doubled '/')";
        }

        if (segment is "." or "..")
        {
            return "relative segments are not allowed";
        }

        if (segment[0] == '.')
        {
            return "segments must not start with '.'";
        }

        foreach (var c in segment)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !AllowedPunctuation.Contains(c, StringComparison.Ordinal))
            {
                return c switch
                {
                    '\\' => "backslash is not a separator; use '/'",
                    _ when char.IsControl(c) => $"control character U+{(int)c:X4}",
                    _ => $"character '{c}' is outside [A-Za-z0-9{AllowedPunctuation}]",
                };
            }
        }

        return null;
    }

    /// <summary>Control characters shown as \uXXXX so an error message cannot break a log line.</summary>
    private static string Printable(string text) =>
        text.Any(char.IsControl)
            ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()))
            : text;
}

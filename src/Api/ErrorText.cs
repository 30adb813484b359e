using System.Text.RegularExpressions;

namespace Rlhf.Api;

/// <summary>
/// What a failed run's error says to its users: the messages, without stack frames or the server's file paths (they
/// tell an outsider where the code lives and help no user). Applied where the API reads the error (status JSON and
/// report), whatever wrote it.
/// </summary>
public static partial class ErrorText
{
    private const int MaxLength = 4000;

    public static string? Sanitize(string? error)
    {
        if (error is null)
        {
            return null;
        }

        var lines = error.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => !StackFrame().IsMatch(l) && !l.TrimStart().StartsWith("--- End of", StringComparison.Ordinal))
            .Select(l => ServerPath().Replace(SourceLocation().Replace(l, ""), "<path>"));
        var text = string.Join('\n', lines).Trim();
        return text.Length <= MaxLength ? text : $"{text[..MaxLength]}...";
    }

    /// <summary>"   at Namespace.Type.Method(...) in /src/File.cs:line 42".</summary>
    [GeneratedRegex(@"^\s*at\s+\S+.*(\(.*\)|in\s+\S+:line\s+\d+)\s*$")]
    private static partial Regex StackFrame();

    /// <summary>" in /path/File.cs:line 42" inside a message.</summary>
    [GeneratedRegex(@"\s+in\s+\S+\.cs:line\s+\d+")]
    private static partial Regex SourceLocation();

    /// <summary>Absolute Unix paths of two or more segments and Windows drive paths.</summary>
    [GeneratedRegex(@"(?<![\w:/.])(/(?:[\w.\-+@]+/)+[\w.\-+@]*|[A-Za-z]:\\(?:[^\\\s'""]+\\)*[^\\\s'""]*)")]
    private static partial Regex ServerPath();
}

using System.Text.RegularExpressions;

namespace Rlhf.TrainerJob.Tests.Image;

/// <summary>
/// A <c>.dockerignore</c> as docker applies it to the build context: patterns (<c>*</c>, <c>?</c>, <c>**</c>) are
/// matched against a path and each of its parent folders (an excluded folder excludes what is in it); the last
/// matching line wins, and a line starting with <c>!</c> keeps what it matches.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Keep)> _rules;

    private DockerIgnore(List<(Regex Pattern, bool Keep)> rules) => _rules = rules;

    public static DockerIgnore Load(string path) => new([.. File.ReadAllLines(path)
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.StartsWith('!') ? (Pattern: l[1..], Keep: true) : (Pattern: l, Keep: false))
        .Select(r => (ToRegex(r.Pattern.Trim('/')), r.Keep))]);

    /// <summary>Whether docker leaves <paramref name="relativePath"/> (forward slashes) out of the context.</summary>
    public bool Excludes(string relativePath)
    {
        var parts = relativePath.Split('/');
        var candidates = Enumerable.Range(1, parts.Length).Select(n => string.Join('/', parts[..n])).ToList();
        var excluded = false;
        foreach (var (pattern, keep) in _rules)
        {
            if (candidates.Any(pattern.IsMatch))
            {
                excluded = !keep;
            }
        }

        return excluded;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = Regex.Escape(pattern)
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex("^" + regex + "$", RegexOptions.CultureInvariant);
    }
}

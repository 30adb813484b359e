using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace Rlhf.Api;

/// <summary>
/// Dotted spec paths as <c>rlhf run rerun --set</c> takes them (<c>policy.ppo.learningRate</c>, <c>policy.ppo.rewards[0].weight</c>):
/// camelCase names as in the spec, array elements by index. Setting one creates missing objects on the way; whether the
/// field exists and takes that value is for the run-spec validator to say, with the same JSON path.
/// </summary>
public static partial class SpecPaths
{
    [GeneratedRegex(@"^(?<name>[A-Za-z][A-Za-z0-9_]*)(\[(?<index>[0-9]{1,4})\])?$")]
    private static partial Regex SegmentPattern();

    /// <summary>Why <paramref name="path"/> is not a spec path (whatever the spec holds), or null.</summary>
    public static string? FindError(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('.');
        return path.Length > 200 || segments.Length > 8 || segments.Any(s => !SegmentPattern().IsMatch(s))
            ? "Not a spec path: use dotted camelCase names as in the spec, with [i] for an array element, e.g. policy.ppo.learningRate."
            : null;
    }

    /// <summary>Sets <paramref name="path"/> in <paramref name="spec"/> to a copy of <paramref name="value"/>; returns why it cannot, or null.</summary>
    public static string? TrySet(JsonObject spec, string path, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (FindError(path) is { } error)
        {
            return error;
        }

        var segments = path.Split('.');

        JsonNode parent = spec;
        for (var i = 0; i < segments.Length; i++)
        {
            var match = SegmentPattern().Match(segments[i]);
            var name = match.Groups["name"].Value;
            var last = i == segments.Length - 1;
            if (parent is not JsonObject obj)
            {
                return $"'{string.Join('.', segments[..i])}' is not an object.";
            }

            if (!match.Groups["index"].Success)
            {
                if (last)
                {
                    obj[name] = value?.DeepClone();
                    return null;
                }

                obj[name] ??= new JsonObject();
                parent = obj[name]!;
                continue;
            }

            var index = int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (obj[name] is not JsonArray array || index >= array.Count)
            {
                return $"'{string.Join('.', segments[..i])}{(i > 0 ? "." : "")}{name}' has no element {index}.";
            }

            if (last)
            {
                array[index] = value?.DeepClone();
                return null;
            }

            parent = array[index] ?? throw new InvalidOperationException("unreachable");
        }

        return null;
    }
}

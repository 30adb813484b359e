using System.Globalization;

namespace Rlhf.Api;

/// <summary>
/// Run ids double as orchestration instance ids and as the artifact folder <c>runs/{runId}/</c>, so they
/// use only characters safe in both. ':' is left out on purpose: child orchestrations of a run are
/// named <c>{runId}:...</c>, which lets cancel and purge find them by prefix.
/// </summary>
public static class RunIds
{
    public const int MaxLength = 128;

    /// <summary>Why <paramref name="runId"/> is not a valid run id, or null when it is.</summary>
    public static string? FindError(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (runId.Length is 0 or > MaxLength)
        {
            return $"A run id has 1 to {MaxLength} characters.";
        }

        if (!char.IsAsciiLetterOrDigit(runId[0]))
        {
            return "A run id starts with a letter or a digit.";
        }

        return runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : "A run id uses only letters, digits, '-', '_' and '.'.";
    }

    /// <summary>The default run id <c>{name}-{seed}-{utc}</c>; <paramref name="attempt"/> &gt; 1 adds a suffix after a collision.</summary>
    public static string Create(string name, int seed, DateTimeOffset utcNow, int attempt = 1)
    {
        var id = $"{name}-{seed}-{utcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        return attempt > 1 ? $"{id}-{attempt}" : id;
    }

    /// <summary>The artifact prefix that holds everything a run wrote.</summary>
    public static string ArtifactPrefix(string runId) => $"runs/{runId}/";

    /// <summary>The instance-id prefix of a run's child orchestrations.</summary>
    public static string ChildPrefix(string runId) => $"{runId}:";
}

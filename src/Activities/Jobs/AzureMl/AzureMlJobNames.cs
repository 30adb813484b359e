using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Rlhf.Activities.Jobs.AzureMl;

/// <summary>
/// The names this runner gives Azure ML resources. A job's name is a pure function of (store, job id, attempt), so a retried
/// <c>SubmitJob</c> addresses the same job and PUT never starts a second one: <c>rlhf-{job id}-{attempt}-{hash}</c>, the job
/// id cut to Azure ML's characters and length, the hash (of store and job id) keeping apart job ids that read alike once
/// cut and stores that share a workspace. An environment version is named by the hash of its image, so registering an image
/// again is a no-op and a new image is a new version (versions are immutable).
/// </summary>
public static partial class AzureMlJobNames
{
    /// <summary>Azure ML job and environment names: letters, digits, '-' and '_', starting with a letter or digit, at most 255.</summary>
    public const int MaxNameLength = 255;

    public const string EnvironmentNameRule = "an environment name is 1-255 characters of letters, digits, '-', '_' and '.', starting with a letter or digit";

    public static bool IsJobName(string value) => JobName().IsMatch(value);

    public static bool IsEnvironmentName(string value) => EnvironmentName().IsMatch(value);

    /// <summary>The Azure ML job of attempt <paramref name="attempt"/> of <paramref name="jobId"/> writing to <paramref name="store"/>.</summary>
    public static string Job(string store, string jobId, int attempt)
    {
        var hash = Hash($"{store}\n{jobId}")[..10];
        var suffix = $"-{attempt.ToString(CultureInfo.InvariantCulture)}-{hash}";
        var id = Unsafe().Replace(jobId.ToLowerInvariant(), "-");
        var name = $"rlhf-{id[..Math.Min(id.Length, MaxNameLength - 5 - suffix.Length)]}{suffix}";
        return IsJobName(name) ? name : throw new InvalidOperationException($"'{name}' is not an Azure ML job name.");
    }

    /// <summary>The environment version that holds <paramref name="image"/>.</summary>
    public static string EnvironmentVersion(string image) => Hash(image)[..16];

    /// <summary>An experiment (the run's jobs grouped in the portal): the run id in Azure ML's characters.</summary>
    public static string Experiment(string? runId) =>
        runId is { Length: > 0 } id ? Unsafe().Replace(id, "-")[..Math.Min(id.Length, MaxNameLength)] : "rlhf";

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")]
    private static partial Regex JobName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex Unsafe();
}

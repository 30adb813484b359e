using System.Text.Json;
using System.Text.RegularExpressions;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>Reads a <see cref="JobSpec"/> from a local file or a blob URI and checks the fields every verb relies on.</summary>
public static partial class JobSpecLoader
{
    /// <summary>Loads and validates the spec; throws <see cref="JobSpecException"/> naming the field when it cannot be used.</summary>
    public static async Task<JobSpec> LoadAsync(string pathOrUri, CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        try
        {
            if (File.Exists(pathOrUri))
            {
                bytes = await File.ReadAllBytesAsync(pathOrUri, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var (store, path) = ArtifactStores.OpenFile(pathOrUri);
                bytes = await store.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new JobSpecException("--spec", $"cannot be read from '{pathOrUri}': {ex.Message}");
        }

        return Parse(bytes);
    }

    /// <summary>Parses spec JSON (<see cref="JsonDefaults.Options"/>) and validates it.</summary>
    public static JobSpec Parse(ReadOnlySpan<byte> json)
    {
        JobSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<JobSpec>(json, JsonDefaults.Options);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is null or "$" ? "spec" : ex.Path.TrimStart('$', '.');
            throw new JobSpecException(field, $"is invalid: {ex.Message}");
        }

        Validate(spec ?? throw new JobSpecException("spec", "is empty (null)."));
        return spec;
    }

    /// <summary>The checks that do not depend on the verb.</summary>
    public static void Validate(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        JobSpecException.Require(!string.IsNullOrWhiteSpace(spec.Verb), "verb", "is required");
        JobSpecException.Require(JobIdPattern().IsMatch(spec.JobId), "jobId", $"must match {JobIdPattern()} (got '{spec.JobId}')");
        JobSpecException.Require(!string.IsNullOrWhiteSpace(spec.Store), "store", "is required (a folder path or a container URI)");
        JobSpecException.Require(ArtifactPath.IsValid(spec.Output), "output", $"must be a valid artifact path (got '{spec.Output}')");
        foreach (var (name, path) in spec.Inputs)
        {
            JobSpecException.Require(ArtifactPath.IsValid(path), $"inputs.{name}", $"must be a valid artifact path (got '{path}')");
        }

        JobSpecException.Require(DevicePattern().IsMatch(spec.Device), "device", $"must be 'cpu', 'cuda' or 'cuda:N' (got '{spec.Device}')");
        JobSpecException.Require(spec.Threads >= 0, "threads", $"must be >= 0 (got {spec.Threads})");
        JobSpecException.Require(spec.CheckpointEvery >= 0, "checkpointEvery", $"must be >= 0 (got {spec.CheckpointEvery})");
        JobSpecException.Require(spec.ProgressEvery >= 1, "progressEvery", $"must be >= 1 (got {spec.ProgressEvery})");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._=-]{0,127}$")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex("^(cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DevicePattern();
}

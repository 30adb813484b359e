using System.Reflection;

namespace Rlhf.Core.Artifacts;

/// <summary>
/// The code versions the build embeds (<c>Directory.Build.targets</c>, target <c>RlhfCodeVersions</c>): a SHA-256 over the
/// sources that decide what a step computes, with the files' paths relative to the repository and LF line ends, so the same
/// sources give the same version in any checkout and at any commit. <see cref="TrainerKey"/> covers Core, TrainerContracts,
/// TrainerJob and the build and package settings; <see cref="LabelingKey"/> covers Core, Activities and Orchestrations and the
/// same settings. The trainer records its own in every <see cref="StepManifest"/>; the reuse lookup puts them in the reuse key.
/// </summary>
public static class CodeVersions
{
    public const string TrainerKey = "RlhfTrainerCode";
    public const string LabelingKey = "RlhfLabelingCode";

    /// <summary>What an assembly built without the target reports: such a build never reuses a step, nor is reused.</summary>
    public const string Unknown = "unknown";

    /// <summary>The version <paramref name="key"/> embedded in <paramref name="assembly"/>, or <see cref="Unknown"/>.</summary>
    public static string Of(Assembly assembly, string key)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value
            ? value
            : Unknown;
    }

    /// <summary>The informational version of <paramref name="assembly"/> (the commit, when built from git): for people, never compared.</summary>
    public static string BuildOf(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? Unknown;
    }
}

using Rlhf.Core.Artifacts;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>
/// The trainer's versions as recorded in manifests: <see cref="Current"/> is the source hash the build embedded
/// (<see cref="CodeVersions.TrainerKey"/>; part of the reuse key, docs/reuse.md), <see cref="Build"/> the assembly's informational
/// version (includes the commit when built from git), for people.
/// </summary>
public static class CodeVersion
{
    public static string Current { get; } = CodeVersions.Of(typeof(CodeVersion).Assembly, CodeVersions.TrainerKey);

    public static string Build { get; } = CodeVersions.BuildOf(typeof(CodeVersion).Assembly);
}

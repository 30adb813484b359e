using System.Reflection;

namespace Rlhf.TrainerJob.Runtime;

/// <summary>The trainer's version as recorded in manifests: the assembly's informational version (includes the commit when built from git).</summary>
public static class CodeVersion
{
    public static string Current { get; } =
        typeof(CodeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CodeVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}

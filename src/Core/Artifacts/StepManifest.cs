using System.Text.Json.Nodes;

namespace Rlhf.Core.Artifacts;

/// <summary>
/// <c>{step}/manifest.json</c>: what a step read and wrote (with SHA-256 of each), the spec it ran with,
/// the code version and a metrics summary. Written last, so its presence marks the step complete.
/// Holds no wall-clock time, so two runs of the same spec and seed produce the same manifest.
/// </summary>
public sealed record StepManifest
{
    public const string FileName = "manifest.json";

    public required string Step { get; init; }
    public string? RunId { get; init; }
    /// <summary>
    /// The source hash of the code that computed the step (<see cref="CodeVersions"/>, e.g. <c>trainer-3f2a…</c>): the same
    /// sources give the same version in any checkout. Part of the reuse key (docs/reuse.md).
    /// </summary>
    public required string CodeVersion { get; init; }

    /// <summary>The build that ran the step (informational version, with the commit when built from git): for people, never compared.</summary>
    public string? Build { get; init; }

    public IReadOnlyList<ArtifactRef> Inputs { get; init; } = [];
    public IReadOnlyList<ArtifactRef> Outputs { get; init; } = [];
    public JsonNode? Spec { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public static string PathFor(string prefix) => $"{prefix.TrimEnd('/')}/{FileName}";
}

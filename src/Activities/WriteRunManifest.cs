using System.Text.Json;
using Microsoft.DurableTask;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Activities;

/// <summary>Writes <c>runs/{runId}/manifest.json</c>: the run's spec, every step manifest and the final metrics (write-once, deterministic).</summary>
public sealed class WriteRunManifest(IArtifactStore store) : TaskActivity<RunManifestInput, ArtifactRef>
{
    private static readonly string CodeVersion = CodeVersions.Of(typeof(WriteRunManifest).Assembly, CodeVersions.LabelingKey);
    private static readonly string Build = CodeVersions.BuildOf(typeof(WriteRunManifest).Assembly);

    public override Task<ArtifactRef> RunAsync(TaskActivityContext context, RunManifestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var manifest = ManifestWriter.Build(
            step: "run",
            codeVersion: CodeVersion,
            inputs: [],
            outputs: input.Steps,
            spec: JsonSerializer.SerializeToNode(input.Spec, JsonDefaults.Options),
            metrics: input.Metrics,
            runId: input.RunId,
            build: Build);
        return ManifestWriter.WriteAsync(store, ArtifactLayout.Run(input.RunId), manifest);
    }
}

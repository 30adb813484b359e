using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Activities.Reuse;

/// <summary>
/// After a trainer job completed: offers its step for reuse under the key its lookup computed, if the trainer that ran it
/// recorded the code version the key was computed with (a trainer built from other sources is never offered).
/// </summary>
public sealed class RecordReusableStep(IArtifactStore store, ILogger<RecordReusableStep> logger) : TaskActivity<RecordReusableStepInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, RecordReusableStepInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var manifest = await store.ReadJsonAsync<StepManifest>(input.Result.Manifest.Path);
        if (manifest.CodeVersion != ReuseKeys.TrainerCode)
        {
            logger.LogWarning(
                "Step {Output} ran trainer code {TrainerCode} but this host keys reuse with {HostCode}: not offered for reuse",
                input.Result.Output, manifest.CodeVersion, ReuseKeys.TrainerCode);
            return false;
        }

        var result = JsonSerializer.SerializeToNode(input.Result, JsonDefaults.Options)!;
        await new ReuseIndex(store).RecordAsync(new ReuseEntry(input.Key, input.RunId, FindReusableStep.StepOf(input.RunId, input.Result.Output), input.Result.Manifest, result));
        return true;
    }
}

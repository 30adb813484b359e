using Microsoft.DurableTask;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Registry;

/// <summary>Input: a nightly run id. Points the label pool at that run's merged preferences when it has them (idempotent).</summary>
public sealed class AdvanceLabelPool(LabelPoolStore pool) : TaskActivity<string, LabelPool?>
{
    public override Task<LabelPool?> RunAsync(TaskActivityContext context, string input) => pool.AdvanceAsync(input);
}

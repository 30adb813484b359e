using Microsoft.DurableTask;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Registry;

/// <summary>The label pool (the latest nightly run's merged preferences), or null before the first nightly run labeled.</summary>
public sealed class ResolveLabelPool(LabelPoolStore pool) : TaskActivity<object?, LabelPool?>
{
    public override Task<LabelPool?> RunAsync(TaskActivityContext context, object? input) => pool.GetAsync();
}

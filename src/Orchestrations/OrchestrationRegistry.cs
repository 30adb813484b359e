using Microsoft.DurableTask;

namespace Rlhf.Orchestrations;

public static class OrchestrationRegistry
{
    /// <summary>Registers every orchestrator of the workflow under its <see cref="Core.TaskNames"/> name.</summary>
    public static DurableTaskRegistry AddRlhfOrchestrations(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<RlhfRun>()
            .AddOrchestrator<CollectSamples>()
            .AddOrchestrator<LabelComparisons>()
            .AddOrchestrator<RunTrainingJob>()
            .AddOrchestrator<NightlyRetrain>()
            .AddOrchestrator<SupervisedCai>();
    }
}

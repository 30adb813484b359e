using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Rlhf.Core;
using Rlhf.Core.Contracts;
using Rlhf.Orchestrations;

namespace Rlhf.FunctionApp.Orchestrators;

/// <summary>
/// One <c>[OrchestrationTrigger]</c> function per orchestrator class, named by <see cref="TaskNames"/>, so the
/// orchestrations call each other and their activities by the same names as under the local host. Class-based
/// registration under Functions needs a source generator this feed does not serve, hence these wrappers.
/// </summary>
public static class OrchestratorFunctions
{
    [Function(TaskNames.RlhfRun)]
    public static Task<RlhfRunResult> RlhfRun([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RlhfRun().RunAsync(context, InputOf<RlhfRunInput>(context));

    [Function(TaskNames.CollectSamples)]
    public static Task<CollectSamplesResult> CollectSamples([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new CollectSamples().RunAsync(context, InputOf<CollectSamplesInput>(context));

    [Function(TaskNames.LabelComparisons)]
    public static Task<LabelComparisonsResult> LabelComparisons([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new LabelComparisons().RunAsync(context, InputOf<LabelComparisonsInput>(context));

    [Function(TaskNames.RunTrainingJob)]
    public static Task<TrainingJobResult> RunTrainingJob([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RunTrainingJob().RunAsync(context, InputOf<RunTrainingJobInput>(context));

    [Function(TaskNames.NightlyRetrain)]
    public static Task<RlhfRunResult> NightlyRetrain([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new NightlyRetrain().RunAsync(context, InputOf<NightlyRetrainInput>(context));

    [Function(TaskNames.SupervisedCai)]
    public static Task<SupervisedCaiResult> SupervisedCai([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new SupervisedCai().RunAsync(context, InputOf<SupervisedCaiInput>(context));

    private static T InputOf<T>(TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetInput<T>()
            ?? throw new ArgumentException($"Orchestration '{context.Name}' ({context.InstanceId}) was started without an input of type {typeof(T).Name}.", nameof(context));
    }
}

using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities;
using Rlhf.Activities.Constitution;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Activities.Registry;
using Rlhf.Activities.Reuse;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;

namespace Rlhf.FunctionApp.Activities;

/// <summary>
/// One <c>[ActivityTrigger]</c> function per activity class, named by <see cref="TaskNames"/>. Each resolves its
/// activity from the function's service scope (constructor dependencies from DI, as the worker would) and runs it.
/// <c>instanceId</c> is bound by the Durable extension from the trigger's binding data.
/// </summary>
public sealed class ActivityFunctions(IServiceProvider services)
{
    [Function(TaskNames.SubmitJob)]
    public Task<JobHandle> SubmitJob([ActivityTrigger] SubmitJobInput input, string instanceId) =>
        RunAsync<SubmitJob, SubmitJobInput, JobHandle>(TaskNames.SubmitJob, input, instanceId);

    [Function(TaskNames.GetJobStatus)]
    public Task<JobProgress> GetJobStatus([ActivityTrigger] JobHandle input, string instanceId) =>
        RunAsync<GetJobStatus, JobHandle, JobProgress>(TaskNames.GetJobStatus, input, instanceId);

    [Function(TaskNames.CancelJob)]
    public Task<bool> CancelJob([ActivityTrigger] JobHandle input, string instanceId) =>
        RunAsync<CancelJob, JobHandle, bool>(TaskNames.CancelJob, input, instanceId);

    [Function(TaskNames.ResolveChampion)]
    public Task<Champion?> ResolveChampion([ActivityTrigger] object? input, string instanceId) =>
        RunAsync<ResolveChampion, object?, Champion?>(TaskNames.ResolveChampion, input, instanceId);

    [Function(TaskNames.ResolveLabelPool)]
    public Task<LabelPool?> ResolveLabelPool([ActivityTrigger] object? input, string instanceId) =>
        RunAsync<ResolveLabelPool, object?, LabelPool?>(TaskNames.ResolveLabelPool, input, instanceId);

    [Function(TaskNames.AdvanceLabelPool)]
    public Task<LabelPool?> AdvanceLabelPool([ActivityTrigger] string input, string instanceId) =>
        RunAsync<AdvanceLabelPool, string, LabelPool?>(TaskNames.AdvanceLabelPool, input, instanceId);

    [Function(TaskNames.PrepareLabelBatches)]
    public Task<LabelBatches> PrepareLabelBatches([ActivityTrigger] PrepareLabelBatchesInput input, string instanceId) =>
        RunAsync<PrepareLabelBatches, PrepareLabelBatchesInput, LabelBatches>(TaskNames.PrepareLabelBatches, input, instanceId);

    [Function(TaskNames.LabelBatch)]
    public Task<LabelBatchResult> LabelBatch([ActivityTrigger] LabelBatchInput input, string instanceId) =>
        RunAsync<LabelBatch, LabelBatchInput, LabelBatchResult>(TaskNames.LabelBatch, input, instanceId);

    [Function(TaskNames.MergePreferences)]
    public Task<ArtifactRef> MergePreferences([ActivityTrigger] MergePreferencesInput input, string instanceId) =>
        RunAsync<MergePreferences, MergePreferencesInput, ArtifactRef>(TaskNames.MergePreferences, input, instanceId);

    [Function(TaskNames.RemindLabelers)]
    public Task<LabelingReminder> RemindLabelers([ActivityTrigger] RemindLabelersInput input, string instanceId) =>
        RunAsync<RemindLabelers, RemindLabelersInput, LabelingReminder>(TaskNames.RemindLabelers, input, instanceId);

    [Function(TaskNames.PublishIfBetter)]
    public Task<PublishResult> PublishIfBetter([ActivityTrigger] PublishInput input, string instanceId) =>
        RunAsync<PublishIfBetter, PublishInput, PublishResult>(TaskNames.PublishIfBetter, input, instanceId);

    [Function(TaskNames.WriteRunManifest)]
    public Task<ArtifactRef> WriteRunManifest([ActivityTrigger] RunManifestInput input, string instanceId) =>
        RunAsync<WriteRunManifest, RunManifestInput, ArtifactRef>(TaskNames.WriteRunManifest, input, instanceId);

    [Function(TaskNames.PrepareCaiPrompts)]
    public Task<CaiPrompts> PrepareCaiPrompts([ActivityTrigger] CaiPromptsInput input, string instanceId) =>
        RunAsync<PrepareCaiPrompts, CaiPromptsInput, CaiPrompts>(TaskNames.PrepareCaiPrompts, input, instanceId);

    [Function(TaskNames.CritiqueResponses)]
    public Task<CaiCritiques> CritiqueResponses([ActivityTrigger] CaiRoundInput input, string instanceId) =>
        RunAsync<CritiqueResponses, CaiRoundInput, CaiCritiques>(TaskNames.CritiqueResponses, input, instanceId);

    [Function(TaskNames.ReviseResponses)]
    public Task<CaiRevisions> ReviseResponses([ActivityTrigger] CaiReviseInput input, string instanceId) =>
        RunAsync<ReviseResponses, CaiReviseInput, CaiRevisions>(TaskNames.ReviseResponses, input, instanceId);

    [Function(TaskNames.WriteCaiCorpus)]
    public Task<CaiCorpus> WriteCaiCorpus([ActivityTrigger] CaiCorpusInput input, string instanceId) =>
        RunAsync<WriteCaiCorpus, CaiCorpusInput, CaiCorpus>(TaskNames.WriteCaiCorpus, input, instanceId);

    [Function(TaskNames.FindReusableStep)]
    public Task<StepReuseLookup> FindReusableStep([ActivityTrigger] FindReusableStepInput input, string instanceId) =>
        RunAsync<FindReusableStep, FindReusableStepInput, StepReuseLookup>(TaskNames.FindReusableStep, input, instanceId);

    [Function(TaskNames.RecordReusableStep)]
    public Task<bool> RecordReusableStep([ActivityTrigger] RecordReusableStepInput input, string instanceId) =>
        RunAsync<RecordReusableStep, RecordReusableStepInput, bool>(TaskNames.RecordReusableStep, input, instanceId);

    [Function(TaskNames.FindReusableLabels)]
    public Task<LabelsReuseLookup> FindReusableLabels([ActivityTrigger] FindReusableLabelsInput input, string instanceId) =>
        RunAsync<FindReusableLabels, FindReusableLabelsInput, LabelsReuseLookup>(TaskNames.FindReusableLabels, input, instanceId);

    [Function(TaskNames.RecordReusableLabels)]
    public Task<bool> RecordReusableLabels([ActivityTrigger] RecordReusableLabelsInput input, string instanceId) =>
        RunAsync<RecordReusableLabels, RecordReusableLabelsInput, bool>(TaskNames.RecordReusableLabels, input, instanceId);

    [Function(TaskNames.FindHumanLabels)]
    public Task<LabelBatchResult?> FindHumanLabels([ActivityTrigger] HumanLabelsReuseInput input, string instanceId) =>
        RunAsync<FindHumanLabels, HumanLabelsReuseInput, LabelBatchResult?>(TaskNames.FindHumanLabels, input, instanceId);

    [Function(TaskNames.RecordHumanLabels)]
    public Task<bool> RecordHumanLabels([ActivityTrigger] HumanLabelsReuseInput input, string instanceId) =>
        RunAsync<RecordHumanLabels, HumanLabelsReuseInput, bool>(TaskNames.RecordHumanLabels, input, instanceId);

    private Task<TOut> RunAsync<TActivity, TIn, TOut>(string name, TIn input, string instanceId)
        where TActivity : TaskActivity<TIn, TOut>
    {
        var activity = ActivatorUtilities.GetServiceOrCreateInstance<TActivity>(services);
        return activity.RunAsync(new FunctionActivityContext(name, instanceId), input);
    }
}

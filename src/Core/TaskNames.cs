namespace Rlhf.Core;

/// <summary>
/// The names orchestrations and activities are registered and called by: one place, used by the
/// orchestrators, the registrations, the Functions wrappers and the Api (which starts <see cref="RlhfRun"/>).
/// </summary>
public static class TaskNames
{
    // orchestrations
    public const string RlhfRun = nameof(RlhfRun);
    public const string CollectSamples = nameof(CollectSamples);
    public const string LabelComparisons = nameof(LabelComparisons);
    public const string RunTrainingJob = nameof(RunTrainingJob);
    public const string NightlyRetrain = nameof(NightlyRetrain);
    public const string SupervisedCai = nameof(SupervisedCai);

    // activities
    public const string SubmitJob = nameof(SubmitJob);
    public const string GetJobStatus = nameof(GetJobStatus);
    public const string CancelJob = nameof(CancelJob);
    public const string ResolveChampion = nameof(ResolveChampion);
    public const string ResolveLabelPool = nameof(ResolveLabelPool);
    public const string AdvanceLabelPool = nameof(AdvanceLabelPool);
    public const string PrepareLabelBatches = nameof(PrepareLabelBatches);
    public const string LabelBatch = nameof(LabelBatch);
    public const string MergePreferences = nameof(MergePreferences);
    public const string RemindLabelers = nameof(RemindLabelers);
    public const string PublishIfBetter = nameof(PublishIfBetter);
    public const string WriteRunManifest = nameof(WriteRunManifest);
    public const string PrepareCaiPrompts = nameof(PrepareCaiPrompts);
    public const string CritiqueResponses = nameof(CritiqueResponses);
    public const string ReviseResponses = nameof(ReviseResponses);
    public const string WriteCaiCorpus = nameof(WriteCaiCorpus);
    public const string FindReusableStep = nameof(FindReusableStep);
    public const string RecordReusableStep = nameof(RecordReusableStep);
    public const string FindReusableLabels = nameof(FindReusableLabels);
    public const string RecordReusableLabels = nameof(RecordReusableLabels);
    public const string FindHumanLabels = nameof(FindHumanLabels);
    public const string RecordHumanLabels = nameof(RecordHumanLabels);

    /// <summary>External event raised on a <see cref="LabelComparisons"/> instance when people finished a batch (payload <see cref="Contracts.HumanLabelsSubmitted"/>).</summary>
    public static string HumanLabelsEvent(int batchIndex) => $"HumanLabels-{batchIndex}";

    /// <summary>External event raised on a <see cref="RunTrainingJob"/> instance when attempt <paramref name="attempt"/> of its job exited (payload: the job id).</summary>
    public static string JobExitedEvent(int attempt) => $"JobExited-{attempt}";
}

using Rlhf.Core.Jobs;

namespace Rlhf.Activities.Jobs.AzureMl;

/// <summary>What an Azure ML job status says about an attempt, once its artifacts said nothing final.</summary>
public enum AzureMlPhase
{
    /// <summary>Not running yet (queued, a node being provisioned, the image pulled) or held: <see cref="JobState.Pending"/>.</summary>
    Waiting,

    /// <summary>The trainer runs: <see cref="JobState.Running"/> with its heartbeat's progress.</summary>
    Running,

    /// <summary>Ended without a manifest or an exit record: <see cref="JobState.Failed"/> (the job's own failure, retried under compute.maxAttempts).</summary>
    Failed,

    /// <summary>Azure ML lost the node: <see cref="JobState.Lost"/> (resubmitted under compute.maxLostAttempts).</summary>
    Lost,

    /// <summary>Azure ML does not know: the heartbeat decides (running while fresh, lost once stale).</summary>
    HeartbeatDecides,
}

/// <summary>
/// Every <c>properties.status</c> of an Azure ML job (the REST spec's JobStatus) and its <see cref="AzureMlPhase"/>. The job's
/// progress still comes from its artifacts (<see cref="ArtifactJobStatus"/>: a manifest is success, an exit record a failure
/// whatever Azure ML says); the status only says whether the attempt lives. A status this table does not know is treated as
/// <see cref="AzureMlPhase.HeartbeatDecides"/>.
/// </summary>
public static class AzureMlJobStates
{
    public static IReadOnlyDictionary<string, AzureMlPhase> Table { get; } = new Dictionary<string, AzureMlPhase>(StringComparer.OrdinalIgnoreCase)
    {
        ["NotStarted"] = AzureMlPhase.Waiting,
        ["Starting"] = AzureMlPhase.Waiting,
        ["Provisioning"] = AzureMlPhase.Waiting,
        ["Preparing"] = AzureMlPhase.Waiting,
        ["Queued"] = AzureMlPhase.Waiting,
        ["Running"] = AzureMlPhase.Running,
        ["Finalizing"] = AzureMlPhase.Running,
        // being stopped (by a cancel of ours, the portal or a timeout): it ends Canceled, which decides
        ["CancelRequested"] = AzureMlPhase.Running,
        // exit code 0 only follows the manifest, so a Completed job without one did not run the trainer through
        ["Completed"] = AzureMlPhase.Failed,
        ["Failed"] = AzureMlPhase.Failed,
        ["Canceled"] = AzureMlPhase.Failed,
        ["NotResponding"] = AzureMlPhase.Lost,
        // held (by a user or the service) without running: the monitor's per-attempt timeout bounds the wait
        ["Paused"] = AzureMlPhase.Waiting,
        ["Unknown"] = AzureMlPhase.HeartbeatDecides,
    };

    public static AzureMlPhase PhaseOf(string status) => Table.TryGetValue(status, out var phase) ? phase : AzureMlPhase.HeartbeatDecides;

    /// <summary>What the runner tells <see cref="ArtifactJobStatus"/> about the job in <paramref name="phase"/>.</summary>
    public static JobLiveness LivenessOf(AzureMlPhase phase) => phase switch
    {
        AzureMlPhase.Waiting or AzureMlPhase.Running => JobLiveness.Alive,
        AzureMlPhase.Failed or AzureMlPhase.Lost => JobLiveness.Gone,
        AzureMlPhase.HeartbeatDecides => JobLiveness.Unknown,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };
}

namespace Rlhf.Core.Runs;

/// <summary>
/// <c>compute.azureml</c>: where the trainer jobs of a run with <c>compute.runner: "azureml"</c> run. Every field is optional:
/// the host's <c>Rlhf:AzureMl</c> settings (set by infra/bicep) supply the defaults, so a spec may say only
/// <c>"runner": "azureml"</c>. The fields are checked for shape here (<see cref="AzureMlNames"/>); the ARM endpoint and the
/// registries an image may come from are the host's, never the spec's. Only read when the runner is azureml (refused otherwise).
/// </summary>
public sealed record AzureMlSpec
{
    /// <summary>Subscription of the workspace (a GUID).</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>Resource group of the workspace.</summary>
    public string? ResourceGroup { get; init; }

    /// <summary>Azure ML workspace name.</summary>
    public string? Workspace { get; init; }

    /// <summary>Compute cluster (AmlCompute) the jobs run on.</summary>
    public string? Compute { get; init; }

    /// <summary>VM size of a job's node (<c>resources.instanceType</c>), e.g. <c>Standard_NC4as_T4_v3</c>.</summary>
    public string? InstanceType { get; init; }

    /// <summary>Trainer image, <c>{registry}/{repository}[:tag][@sha256:digest]</c>, from a registry the host allows.</summary>
    public string? Image { get; init; }

    /// <summary>
    /// Azure ML's limit on one attempt (<c>limits.timeout</c>), an ISO 8601 duration such as <c>PT4H</c> (1 minute to 7
    /// days); default: <c>compute.jobTimeoutMinutes</c>, so a node stops billing even while no orchestrator watches it.
    /// </summary>
    public string? Timeout { get; init; }
}

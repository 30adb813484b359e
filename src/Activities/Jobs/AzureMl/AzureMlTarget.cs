using Rlhf.Core.Runs;

namespace Rlhf.Activities.Jobs.AzureMl;

/// <summary>
/// Where one job runs: a spec's <c>compute.azureml</c> over the host's defaults (<see cref="AzureMlOptions"/>), every value
/// checked. <see cref="Resolve"/> is the one rule for both the submission check (errors name the spec field) and the runner.
/// </summary>
public sealed record AzureMlTarget(string SubscriptionId, string ResourceGroup, string Workspace, string Compute, string? InstanceType, string Image, TimeSpan Timeout)
{
    private const string Provider = "Microsoft.MachineLearningServices";

    /// <summary>ARM id of the workspace.</summary>
    public string WorkspaceId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/{Provider}/workspaces/{Workspace}";

    /// <summary>ARM id of the compute cluster (the jobs' <c>computeId</c>).</summary>
    public string ComputeId => $"{WorkspaceId}/computes/{Compute}";

    /// <summary>ARM id of a job of this workspace.</summary>
    public string JobId(string name) => $"{WorkspaceId}/jobs/{name}";

    /// <summary>ARM id of an environment version of this workspace.</summary>
    public string EnvironmentVersionId(string name, string version) => $"{WorkspaceId}/environments/{name}/versions/{version}";

    /// <summary>
    /// The target of <paramref name="spec"/> (a job's <c>compute.azureml</c>, its timeout already defaulted) on a host with
    /// <paramref name="options"/>, or every reason it has none, each at its JSON path.
    /// </summary>
    public static (AzureMlTarget? Target, IReadOnlyList<SpecError> Errors) Resolve(AzureMlSpec? spec, AzureMlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string at = "$.compute.azureml";
        var errors = new List<SpecError>();
        if (!options.IsConfigured)
        {
            errors.Add(new SpecError("$.compute.runner", NotConfigured));
            return (null, errors);
        }

        string Pick(string field, string? fromSpec, string? fromHost, string setting, Func<string, bool> isValid, string rule)
        {
            var value = fromSpec ?? fromHost;
            if (value is null)
            {
                errors.Add(new SpecError($"{at}.{field}", $"Not given, and this host has no default ({AzureMlOptions.SectionName}:{setting})."));
            }
            else if (!isValid(value))
            {
                errors.Add(new SpecError($"{at}.{field}", $"'{value}' is not valid: {rule}."));
            }

            return value ?? string.Empty;
        }

        var subscription = Pick("subscriptionId", spec?.SubscriptionId, options.SubscriptionId, nameof(options.SubscriptionId), AzureMlNames.IsSubscriptionId, AzureMlNames.SubscriptionIdRule);
        var group = Pick("resourceGroup", spec?.ResourceGroup, options.ResourceGroup, nameof(options.ResourceGroup), AzureMlNames.IsResourceGroup, AzureMlNames.ResourceGroupRule);
        var workspace = Pick("workspace", spec?.Workspace, options.Workspace, nameof(options.Workspace), AzureMlNames.IsWorkspace, AzureMlNames.WorkspaceRule);
        var compute = Pick("compute", spec?.Compute, options.Compute, nameof(options.Compute), AzureMlNames.IsCompute, AzureMlNames.ComputeRule);
        var image = Pick("image", spec?.Image, options.Image, nameof(options.Image), i => AzureMlNames.RegistryOf(i) is not null, AzureMlNames.ImageRule);
        var instanceType = spec?.InstanceType ?? options.InstanceType;
        if (instanceType is not null && !AzureMlNames.IsInstanceType(instanceType))
        {
            errors.Add(new SpecError($"{at}.instanceType", $"'{instanceType}' is not valid: {AzureMlNames.InstanceTypeRule}."));
        }

        if (AzureMlNames.RegistryOf(image) is { } registry && !options.Registries().Contains(registry, StringComparer.Ordinal))
        {
            errors.Add(new SpecError($"{at}.image", $"Registry '{registry}' is not one this host pulls trainer images from ({string.Join(", ", options.Registries())}; {AzureMlOptions.SectionName}:AllowedRegistries)."));
        }

        var timeout = TimeSpan.Zero;
        if (spec?.Timeout is not { } text || !AzureMlNames.TryParseTimeout(text, out timeout))
        {
            errors.Add(new SpecError($"{at}.timeout", $"'{spec?.Timeout}' is not valid: {AzureMlNames.TimeoutRule}."));
        }

        return errors.Count > 0 ? (null, errors) : (new AzureMlTarget(subscription, group, workspace, compute, instanceType, image, timeout), errors);
    }

    /// <summary>
    /// The submission check of a run spec on this host: nothing for the local runner; for azureml, that the host has Azure ML
    /// and that the spec's section resolves against it.
    /// </summary>
    public static IReadOnlyList<SpecError> FindErrors(RunSpec spec, AzureMlOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Compute.Runner == JobRunnerKind.AzureMl ? Resolve(spec.Compute.AzureMlForJobs(), options).Errors : [];
    }

    /// <summary>Why a host without Azure ML settings refuses azureml jobs.</summary>
    public static string NotConfigured =>
        $"'azureml' is not available on this host: it has no Azure ML configuration ({AzureMlOptions.SectionName}:Image or :AllowedRegistries, and the workspace defaults; infra/bicep sets them). Use \"local\", or configure the host.";
}

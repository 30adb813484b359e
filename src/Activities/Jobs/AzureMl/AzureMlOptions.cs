using Microsoft.Extensions.Options;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Jobs.AzureMl;

/// <summary>
/// The host's Azure ML settings (section <c>Rlhf:AzureMl</c>; infra/bicep sets them on the Function App). Where the ARM requests
/// go and which registries a trainer image may come from are decided here, never by a run spec; the workspace values are
/// defaults that <c>compute.azureml</c> may override. A host without <see cref="Image"/> and <see cref="AllowedRegistries"/>
/// has no Azure ML: runs with <c>compute.runner: "azureml"</c> are refused at submission.
/// </summary>
public sealed class AzureMlOptions
{
    public const string SectionName = "Rlhf:AzureMl";

    /// <summary>The Azure Resource Manager endpoint (https); the cloud's own in sovereign clouds.</summary>
    public Uri Endpoint { get; set; } = new("https://management.azure.com/");

    /// <summary>Default subscription of the workspace (a GUID).</summary>
    public string? SubscriptionId { get; set; }

    /// <summary>Default resource group of the workspace.</summary>
    public string? ResourceGroup { get; set; }

    /// <summary>Default workspace.</summary>
    public string? Workspace { get; set; }

    /// <summary>Default compute cluster.</summary>
    public string? Compute { get; set; }

    /// <summary>Default VM size of a job's node (<c>resources.instanceType</c>); none: the cluster's.</summary>
    public string? InstanceType { get; set; }

    /// <summary>Default trainer image; its registry is always allowed.</summary>
    public string? Image { get; set; }

    /// <summary>Further registry hosts (<c>myacr.azurecr.io</c>) a spec's <c>compute.azureml.image</c> may come from.</summary>
    public IList<string> AllowedRegistries { get; } = new List<string>();

    /// <summary>Name of the Azure ML environment each image is registered under (one version per image).</summary>
    public string EnvironmentName { get; set; } = "rlhf-trainer";

    /// <summary>Client id of the user-assigned identity the cluster runs jobs as: the jobs' <c>AZURE_CLIENT_ID</c> and <c>identity.clientId</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary>Whether this host runs Azure ML jobs at all: it allows some image.</summary>
    public bool IsConfigured => Image is not null || AllowedRegistries.Count > 0;

    /// <summary>The registries an image may come from: <see cref="AllowedRegistries"/> and the default image's.</summary>
    public IReadOnlyList<string> Registries() =>
        [.. AllowedRegistries.Concat(Image is { } image && AzureMlNames.RegistryOf(image) is { } registry ? [registry] : []).Distinct(StringComparer.Ordinal)];

    /// <summary>Every problem of the settings (empty when valid), each naming its setting.</summary>
    public IReadOnlyList<string> FindErrors()
    {
        var errors = new List<string>();
        void Check(string setting, string? value, Func<string, bool> isValid, string rule)
        {
            if (value is not null && !isValid(value))
            {
                errors.Add($"{SectionName}:{setting}: '{value}' is not valid: {rule}.");
            }
        }

        if (!Endpoint.IsAbsoluteUri || Endpoint.Scheme != Uri.UriSchemeHttps || Endpoint.UserInfo.Length > 0 || Endpoint.Query.Length > 0 || Endpoint.Fragment.Length > 0)
        {
            errors.Add($"{SectionName}:Endpoint: '{Endpoint}' must be an https:// URL without credentials, query or fragment.");
        }

        Check(nameof(SubscriptionId), SubscriptionId, AzureMlNames.IsSubscriptionId, AzureMlNames.SubscriptionIdRule);
        Check(nameof(ResourceGroup), ResourceGroup, AzureMlNames.IsResourceGroup, AzureMlNames.ResourceGroupRule);
        Check(nameof(Workspace), Workspace, AzureMlNames.IsWorkspace, AzureMlNames.WorkspaceRule);
        Check(nameof(Compute), Compute, AzureMlNames.IsCompute, AzureMlNames.ComputeRule);
        Check(nameof(InstanceType), InstanceType, AzureMlNames.IsInstanceType, AzureMlNames.InstanceTypeRule);
        Check(nameof(Image), Image, i => AzureMlNames.RegistryOf(i) is not null, AzureMlNames.ImageRule);
        Check(nameof(EnvironmentName), EnvironmentName, AzureMlJobNames.IsEnvironmentName, AzureMlJobNames.EnvironmentNameRule);
        Check(nameof(ClientId), ClientId, v => Guid.TryParseExact(v, "D", out _), "a client id is a GUID");
        foreach (var (registry, index) in AllowedRegistries.Select((r, i) => (r, i)))
        {
            Check($"{nameof(AllowedRegistries)}:{index}", registry, AzureMlNames.IsRegistry, "a registry is a lowercase host name with a dot or a port, such as myacr.azurecr.io");
        }

        return errors;
    }
}

/// <summary>Start-up validation of <see cref="AzureMlOptions"/>.</summary>
public sealed class AzureMlOptionsValidator : IValidateOptions<AzureMlOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureMlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.FindErrors() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}

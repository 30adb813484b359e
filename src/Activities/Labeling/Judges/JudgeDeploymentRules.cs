using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>Checks the host's <see cref="LabelingOptions.JudgeDeployments"/> at start-up and a spec's choice of one at submission.</summary>
public static class JudgeDeploymentRules
{
    /// <summary>Every problem of the configured deployments (empty when valid), each naming its setting.</summary>
    public static IReadOnlyList<string> FindErrors(LabelingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var (name, deployment) in options.JudgeDeployments)
        {
            var at = $"{LabelingOptions.SectionName}:JudgeDeployments:{name}";
            if (!IdentifierNameAttribute.IsValid(name))
            {
                errors.Add($"{at}: a deployment name is 1-64 characters of [A-Za-z0-9-_.] starting with a letter or digit.");
            }

            if (EndpointError(deployment.Endpoint, options.AllowLoopbackHttpJudges) is { } endpoint)
            {
                errors.Add($"{at}:Endpoint: {endpoint}");
            }

            if (!IdentifierNameAttribute.IsValid(deployment.Deployment))
            {
                errors.Add($"{at}:Deployment: name the chat model deployment (1-64 characters of [A-Za-z0-9-_.]).");
            }

            if (deployment.ApiKeySetting is { } setting && !SettingNameAttribute.IsValid(setting))
            {
                errors.Add($"{at}:ApiKeySetting: '{setting}' is not a setting name (1-128 characters of [A-Za-z0-9_:.-]).");
            }
        }

        return errors;
    }

    /// <summary>Why <paramref name="endpoint"/> may not be called, or null: https only; http only on a loopback address when allowed (tests).</summary>
    public static string? EndpointError(string endpoint, bool allowLoopbackHttp)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return $"'{endpoint}' is not an absolute URL without credentials, query or fragment.";
        }

        return uri.Scheme == Uri.UriSchemeHttps || (allowLoopbackHttp && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)
            ? null
            : $"'{endpoint}' must be https:// (http:// only on loopback with AllowLoopbackHttpJudges, for tests).";
    }

    /// <summary>
    /// The submission check of a spec that labels with the Azure OpenAI judge: its deployment must be one the host
    /// configured. Returns (JSON path, message) or null.
    /// </summary>
    public static SpecError? CheckSpec(RunSpec spec, LabelingOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        return spec.Labeling.Ai.Judge == AiJudgeKind.AzureOpenAi
            ? CheckDeployment(spec.Labeling.Ai.AzureOpenAi.Deployment, "$.labeling.ai.azureOpenAi.deployment", options)
            : null;
    }

    /// <summary>The same check for SL-CAI's chat critic (<c>constitution.supervised.critic: azureOpenAi</c>). Returns (JSON path, message) or null.</summary>
    public static SpecError? CheckCriticSpec(RunSpec spec, LabelingOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        return spec.Constitution.Supervised is { Critic: CaiCritic.AzureOpenAi } cai
            ? CheckDeployment(cai.AzureOpenAi.Deployment, "$.constitution.supervised.azureOpenAi.deployment", options)
            : null;
    }

    private static SpecError? CheckDeployment(string? name, string path, LabelingOptions options)
    {
        if (name is not null && options.JudgeDeployments.ContainsKey(name))
        {
            return null;
        }

        var known = options.JudgeDeployments.Count == 0
            ? "this host configures none (Rlhf:Labeling:JudgeDeployments)"
            : $"configured: {string.Join(", ", options.JudgeDeployments.Keys.Order(StringComparer.Ordinal))}";
        return new SpecError(
            path,
            name is null ? $"Name the host's judge deployment to use ({known})." : $"'{name}' is not a judge deployment of this host ({known}).");
    }
}

/// <summary>Fails the host's start-up on an invalid judge deployment, naming each bad setting.</summary>
public sealed class JudgeDeploymentValidator : Microsoft.Extensions.Options.IValidateOptions<LabelingOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, LabelingOptions options) =>
        JudgeDeploymentRules.FindErrors(options) is { Count: > 0 } errors
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}

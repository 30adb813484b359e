using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Azure.AI.OpenAI;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenAI.Chat;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// One <see cref="ChatClient"/> per configured <see cref="JudgeDeployment"/>, API version 2024-10-21. A run spec names the
/// deployment; its endpoint and credential come only from the host's <see cref="LabelingOptions.JudgeDeployments"/>, so a
/// spec cannot send a key (or any setting's value) anywhere. With <see cref="JudgeDeployment.ApiKeySetting"/> the key is
/// read from that setting (configuration, then the environment variable of that name); without it the client signs in
/// with <see cref="DefaultAzureCredential"/> (managed identity in Azure). The SDK's own retries are off:
/// <see cref="ChatRetry"/> is the one retry layer, so attempts, waits and the request count stay what the spec says.
/// </summary>
public sealed class AzureChatClients(IOptions<LabelingOptions> options, IConfiguration? configuration = null)
{
    private readonly ConcurrentDictionary<string, ChatClient> _clients = new(StringComparer.Ordinal);

    /// <summary>The client of the host's deployment <paramref name="name"/>; throws when the host has none of that name.</summary>
    public ChatClient For(string? name)
    {
        var deployments = options.Value.JudgeDeployments;
        if (name is null || !deployments.TryGetValue(name, out var deployment))
        {
            throw new InvalidOperationException(
                $"'{name}' is not a judge deployment of this host (configured: {string.Join(", ", deployments.Keys.Order(StringComparer.Ordinal))}).");
        }

        return _clients.GetOrAdd(name, _ => Create(deployment));
    }

    private ChatClient Create(JudgeDeployment deployment)
    {
        if (JudgeDeploymentRules.EndpointError(deployment.Endpoint, options.Value.AllowLoopbackHttpJudges) is { } error)
        {
            throw new InvalidOperationException(error);
        }

        var clientOptions = new AzureOpenAIClientOptions(AzureOpenAIClientOptions.ServiceVersion.V2024_10_21)
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromMinutes(2),
        };
        var uri = new Uri(deployment.Endpoint);
        var client = deployment.ApiKeySetting is null
            ? new AzureOpenAIClient(uri, new DefaultAzureCredential(), clientOptions)
            : new AzureOpenAIClient(uri, new ApiKeyCredential(ApiKey(deployment.ApiKeySetting)), clientOptions);
        return client.GetChatClient(deployment.Deployment);
    }

    private string ApiKey(string setting)
    {
        var key = configuration?[setting] ?? Environment.GetEnvironmentVariable(setting);
        return string.IsNullOrEmpty(key)
            ? throw new InvalidOperationException($"App setting '{setting}' (the judge deployment's ApiKeySetting) holds no API key.")
            : key;
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Azure.AI.OpenAI;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using OpenAI.Chat;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// One <see cref="ChatClient"/> per (endpoint, deployment, key setting), API version 2024-10-21. With
/// <see cref="AzureOpenAiJudgeSpec.ApiKeySetting"/> the key is read from that app setting (configuration, then the
/// environment variable of that name); without it the client signs in with <see cref="DefaultAzureCredential"/>
/// (managed identity in Azure). The SDK's own retries are off: <see cref="ChatRetry"/> is the one retry layer,
/// so attempts, waits and the request count stay what the spec says.
/// </summary>
public sealed class AzureChatClients(IConfiguration? configuration = null)
{
    private readonly ConcurrentDictionary<(string Endpoint, string Deployment, string? KeySetting), ChatClient> _clients = new();

    public ChatClient For(AzureOpenAiJudgeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var endpoint = spec.Endpoint
            ?? throw new InvalidOperationException("labeling.ai.azureOpenAi.endpoint is not set (https://{resource}.openai.azure.com/).");
        return _clients.GetOrAdd((endpoint, spec.Deployment, spec.ApiKeySetting), key => Create(key.Endpoint, key.Deployment, key.KeySetting));
    }

    private ChatClient Create(string endpoint, string deployment, string? keySetting)
    {
        var options = new AzureOpenAIClientOptions(AzureOpenAIClientOptions.ServiceVersion.V2024_10_21)
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromMinutes(2),
        };
        var uri = new Uri(endpoint);
        var client = keySetting is null
            ? new AzureOpenAIClient(uri, new DefaultAzureCredential(), options)
            : new AzureOpenAIClient(uri, new ApiKeyCredential(ApiKey(keySetting)), options);
        return client.GetChatClient(deployment);
    }

    private string ApiKey(string setting)
    {
        var key = configuration?[setting] ?? Environment.GetEnvironmentVariable(setting);
        return string.IsNullOrEmpty(key)
            ? throw new InvalidOperationException($"App setting '{setting}' (labeling.ai.azureOpenAi.apiKeySetting) holds no API key.")
            : key;
    }
}

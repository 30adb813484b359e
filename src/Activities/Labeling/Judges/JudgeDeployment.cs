namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// One Azure OpenAI chat deployment the host allows a judge to call (host configuration, never a run spec). With
/// <see cref="ApiKeySetting"/> the key is read from that setting (configuration, then the environment variable);
/// without it the host signs in with <c>DefaultAzureCredential</c> (managed identity in Azure).
/// </summary>
public sealed class JudgeDeployment
{
    /// <summary><c>https://{resource}.openai.azure.com/</c>.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The chat model deployment on that resource, e.g. <c>gpt-4o-mini</c>.</summary>
    public string Deployment { get; set; } = "";

    /// <summary>Setting holding an API key (local/dev); null = Microsoft Entra ID.</summary>
    public string? ApiKeySetting { get; set; }
}

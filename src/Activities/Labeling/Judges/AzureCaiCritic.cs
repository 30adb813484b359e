using OpenAI.Chat;
using Rlhf.Activities.Constitution;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// The chat critic and reviser of SL-CAI on an Azure OpenAI deployment the host configures (as for the judge: the spec
/// names it, <see cref="AzureChatClients"/> holds its endpoint and credential). Per response, one critique request
/// (<see cref="CaiChatPrompt.Critique"/>) and, unless the critique says <c>Needs revision: no</c>, one revision request;
/// temperature 0, retries by <see cref="ChatRetry"/>. A revision reply without a <c>Revision:</c> line fails the round with
/// <see cref="CriticResponseException"/> (the activity retry asks again).
/// </summary>
public sealed class AzureCaiCritic(AzureChatClients clients, TimeProvider time)
{
    public const string CriticPrefix = "azure-openai:";

    public async Task<IReadOnlyList<(CaiCritique Critique, CaiRevision Revision)>> CritiqueAndReviseAsync(
        AzureOpenAiJudgeSpec spec,
        IReadOnlyList<(string PromptId, string Prompt, string Response, string Principle)> responses,
        int round,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(responses);
        var chat = clients.For(spec.Deployment);
        using var gate = new SemaphoreSlim(spec.MaxConcurrency);
        return await Task.WhenAll(responses.Select(async r =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await OneAsync(chat, spec, r.PromptId, r.Prompt, r.Response, r.Principle, round, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task<(CaiCritique, CaiRevision)> OneAsync(ChatClient chat, AzureOpenAiJudgeSpec spec, string promptId, string prompt, string response, string principle, int round, CancellationToken cancellationToken)
    {
        var critic = CriticPrefix + spec.Deployment;
        var retry = new ChatRetry(spec, time);
        var critiqueMessages = CaiChatPrompt.Critique(principle, Constitution.Descriptions[principle], prompt, response);
        var critique = await AskAsync(chat, retry, spec, critiqueMessages, cancellationToken);
        var needs = CaiChatPrompt.NeedsRevision(critique);
        var after = response;
        if (needs)
        {
            var reply = await AskAsync(chat, retry, spec, CaiChatPrompt.Revision(critiqueMessages, critique, principle), cancellationToken);
            after = CaiChatPrompt.ParseRevision(reply) ?? throw new CriticResponseException(promptId, round, reply);
        }

        return (new CaiCritique(promptId, prompt, round, principle, response, critique, [], needs, "", 0, critic),
            new CaiRevision(promptId, prompt, round, principle, response, after, !string.Equals(after, response, StringComparison.Ordinal), 0, 0, needs ? 1 : 0, critic));
    }

    private static async Task<string> AskAsync(ChatClient chat, ChatRetry retry, AzureOpenAiJudgeSpec spec, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var options = new ChatCompletionOptions { Temperature = 0f, MaxOutputTokenCount = spec.MaxOutputTokens };
        var result = await retry.RunAsync(t => chat.CompleteChatAsync(messages, options, t), cancellationToken);
        return string.Concat(result.Value.Content.Select(c => c.Text));
    }
}

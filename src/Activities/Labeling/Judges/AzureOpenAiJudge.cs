using System.Text;
using OpenAI.Chat;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>
/// Azure OpenAI judge: for every pair it asks the deployment (<see cref="JudgePrompt"/>) with the responses in
/// both orders (A/B and B/A, unless <see cref="AiLabelingSpec.BothOrders"/> is off) and adds the two verdicts
/// mapped back to the pair's order: agreeing orders decide, opposite orders cancel to a tie (the position bias
/// cancels), a tie and a win give the win. A reply without a verdict line is left out; when no order gives one
/// the batch fails with <see cref="JudgeResponseException"/> (the activity's retry asks again). Per-order
/// verdicts, requests and tokens go in the verdict file. Labeler <c>ai:azure-openai:{deployment}</c>, the host's deployment name.
/// </summary>
public sealed class AzureOpenAiJudge(IArtifactStore store, AzureChatClients clients, TimeProvider time) : PairwiseJudge(store)
{
    private readonly IArtifactStore _store = store;

    public override AiJudgeKind Kind => AiJudgeKind.AzureOpenAi;

    protected override string LabelerName(AiLabelingSpec spec) => $"ai:azure-openai:{spec.AzureOpenAi.Deployment}";

    protected override async Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(LabelBatchInput input, IReadOnlyList<SampleRecord> items, CancellationToken cancellationToken)
    {
        var ai = input.Labeling.Ai;
        var chat = clients.For(ai.AzureOpenAi.Deployment);
        var document = ai.Constitution is null ? null : Encoding.UTF8.GetString(await _store.ReadAsync(ai.Constitution, cancellationToken));
        var constitution = Constitution.Text(ai, document);
        var labeler = LabelerName(ai);
        using var gate = new SemaphoreSlim(ai.AzureOpenAi.MaxConcurrency);
        var pairs = items.SelectMany(item => SimulatedLabeler.PairsOf(item).Select(p => (Item: item, p.I, p.J)));
        return await Task.WhenAll(pairs.Select(async pair =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await JudgePairAsync(chat, ai, constitution, pair.Item, pair.I, pair.J, labeler, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task<JudgeVerdict> JudgePairAsync(ChatClient chat, AiLabelingSpec ai, string constitution, SampleRecord item, int i, int j, string labeler, CancellationToken cancellationToken)
    {
        var retry = new ChatRetry(ai.AzureOpenAi, time);
        var (a, b) = (item.Completions[i].Text, item.Completions[j].Text);
        var forward = await AskAsync(chat, retry, ai.AzureOpenAi, JudgePrompt.Messages(constitution, item.Prompt, a, b), cancellationToken);
        var reversed = ai.BothOrders
            ? await AskAsync(chat, retry, ai.AzureOpenAi, JudgePrompt.Messages(constitution, item.Prompt, b, a), cancellationToken)
            : null;
        var verdict = VerdictOf(item, i, j, labeler, PairVerdict.Tie);
        if (forward.Verdict is null && reversed?.Verdict is null)
        {
            throw new JudgeResponseException(verdict.ComparisonId, forward.Reply);
        }

        var sign = (forward.Verdict?.Sign() ?? 0) + (reversed?.Verdict?.Swap().Sign() ?? 0);
        return verdict with
        {
            Verdict = PairVerdicts.FromSign(sign),
            Forward = forward.Verdict,
            Reversed = reversed?.Verdict,
            Requests = retry.Requests,
            PromptTokens = forward.PromptTokens + (reversed?.PromptTokens ?? 0),
            CompletionTokens = forward.CompletionTokens + (reversed?.CompletionTokens ?? 0),
        };
    }

    private static async Task<Answer> AskAsync(ChatClient chat, ChatRetry retry, AzureOpenAiJudgeSpec spec, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var options = new ChatCompletionOptions { Temperature = 0f, MaxOutputTokenCount = spec.MaxOutputTokens };
        var result = await retry.RunAsync(t => chat.CompleteChatAsync(messages, options, t), cancellationToken);
        var completion = result.Value;
        var reply = string.Concat(completion.Content.Select(c => c.Text));
        return new Answer(reply, JudgePrompt.ParseVerdict(reply), completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0);
    }

    private sealed record Answer(string Reply, PairVerdict? Verdict, int PromptTokens, int CompletionTokens);
}

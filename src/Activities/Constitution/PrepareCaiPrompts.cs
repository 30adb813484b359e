using Microsoft.DurableTask;
using Rlhf.Activities.Labeling;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;

namespace Rlhf.Activities.Constitution;

/// <summary>
/// The SL-CAI prompt set: the first <c>limit</c> prompts (0 = all) of the prompt file, then of the red-team file, a prompt id
/// kept once (first wins), written to <c>sl-cai/prompts.jsonl</c> (write-once: a retry writes the same bytes).
/// </summary>
public sealed class PrepareCaiPrompts(IArtifactStore store) : TaskActivity<CaiPromptsInput, CaiPrompts>
{
    public override async Task<CaiPrompts> RunAsync(TaskActivityContext context, CaiPromptsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var prompts = new List<DemoPrompt>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in new[] { input.Prompts, input.RedTeamPrompts }.OfType<string>())
        {
            var lines = Jsonl.Deserialize<DemoPrompt>(path, await store.ReadAsync(path));
            foreach (var (prompt, i) in lines.Select((p, i) => (p, i)).Take(input.Limit > 0 ? input.Limit : int.MaxValue))
            {
                if (string.IsNullOrEmpty(prompt.Id) || prompt.Prompt is null)
                {
                    throw new InvalidDataException($"'{path}' prompt {i + 1} is not {{\"id\",\"prompt\"}}.");
                }

                if (seen.Add(prompt.Id))
                {
                    prompts.Add(prompt);
                }
            }
        }

        if (prompts.Count == 0)
        {
            throw new InvalidDataException($"No prompts to revise in '{input.Prompts}'{(input.RedTeamPrompts is null ? "" : $" or '{input.RedTeamPrompts}'")}.");
        }

        return new CaiPrompts(await store.PutAsync(CaiLayout.Prompts(input.RunId), Jsonl.Serialize(prompts)), prompts.Count);
    }
}

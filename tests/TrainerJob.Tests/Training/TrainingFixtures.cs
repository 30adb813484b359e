using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;

namespace Rlhf.TrainerJob.Tests.Training;

/// <summary>Inputs for the reward/evaluate process tests: tiny model folders in the store and gold-ranked preferences over data/tiny prompts.</summary>
internal static class TrainingFixtures
{
    /// <summary>Kind, plain continuations: high gold score.</summary>
    public static IReadOnlyList<string> Good { get; } =
    [
        " was a kind and good friend to all of us, and we were glad.",
        " is a fine and happy place where people help each other.",
        " gave us hope, and we thanked him with a warm smile.",
        " made the day bright and calm, and we felt safe and well.",
    ];

    /// <summary>Harsh word lists and gibberish: low gold score.</summary>
    public static IReadOnlyList<string> Bad { get; } =
    [
        " hate hate kill ugly stupid awful terrible disgusting.",
        " zxqv blorf krrrrrrr ggggg fzzt.",
        " die die die die die.",
        " horrible vile wretched evil cruel nasty.",
    ];

    public static GoldScorer Gold { get; } = GoldScorer.Load(Path.GetDirectoryName(TrainerWorkspace.FindRepoFile("data/tiny/lexicons/afinn-111.tsv"))!);

    /// <summary>A seeded, untrained byte-level GPT saved as a model folder at <paramref name="prefix"/> in the store.</summary>
    public static async Task PutPolicyAsync(TrainerWorkspace workspace, string prefix, int seed = 1, int nPositions = 128)
    {
        torch.manual_seed(seed);
        using var model = new Gpt(new GptConfig(VocabSize: 258, NPositions: nPositions, NEmbd: 32, NLayer: 1, NHead: 2));
        var local = Path.Combine(workspace.Root, "fixture-" + prefix.Replace('/', '-'));
        ModelIO.Save(local, model, new ByteTokenizer());
        await PutFolderAsync(workspace, prefix, local);
    }

    public static async Task PutFolderAsync(TrainerWorkspace workspace, string prefix, string local)
    {
        foreach (var file in Directory.GetFiles(local))
        {
            await workspace.Store.PutFileAsync($"{prefix}/{Path.GetFileName(file)}", file);
        }
    }

    /// <summary>
    /// K = 3 per prompt (a good continuation, the corpus reference, a bad continuation), ranked by the gold score:
    /// C(3,2) = 3 <see cref="PreferenceRecord"/> lines per prompt sharing one ranking.
    /// </summary>
    public static List<PreferenceRecord> GoldRankedPreferences(int prompts)
    {
        var references = File.ReadLines(TrainerWorkspace.FindRepoFile("data/tiny/references.jsonl"))
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .Take(prompts)
            .ToList();
        var records = new List<PreferenceRecord>();
        for (var n = 0; n < references.Count; n++)
        {
            var id = references[n]["id"]!.GetValue<string>();
            var prompt = references[n]["prompt"]!.GetValue<string>();
            string[] items = [Good[n % Good.Count], references[n]["reference"]!.GetValue<string>(), Bad[n % Bad.Count]];
            var ranking = Enumerable.Range(0, items.Length).OrderByDescending(i => Gold.Score(prompt, items[i]).Total).ToList();
            for (var a = 0; a < items.Length; a++)
            {
                for (var b = a + 1; b < items.Length; b++)
                {
                    var (chosen, rejected) = ranking.IndexOf(a) < ranking.IndexOf(b) ? (a, b) : (b, a);
                    records.Add(new PreferenceRecord
                    {
                        Id = $"{id}:{a}-{b}",
                        PromptId = id,
                        Prompt = prompt,
                        Chosen = items[chosen],
                        Rejected = items[rejected],
                        ChosenIndex = chosen,
                        RejectedIndex = rejected,
                        Ranking = ranking,
                        Labeler = "gold",
                    });
                }
            }
        }

        return records;
    }

    public static Task PutJsonLinesAsync<T>(TrainerWorkspace workspace, string path, IEnumerable<T> lines) =>
        workspace.Store.PutAsync(path, Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => JsonSerializer.Serialize(l, JsonDefaults.Options) + "\n"))));
}

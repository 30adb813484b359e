using System.Text.Json.Nodes;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tests.Training;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Verbs;

/// <summary>
/// Shared inputs of the PPO/DPO process tests, built once per test class: a tiny SFT policy trained by the real
/// <c>sft</c> process on data/tiny (<see cref="PolicyPath"/>), a hand-built reward model that scores the share of
/// the byte <see cref="TargetByte"/> in the text (<see cref="RewardModelPath"/>), the train prompts and the lexicons.
/// </summary>
public sealed class PpoFixture : IDisposable
{
    public const string PolicyPath = "runs/base/sft/model";
    public const string RewardModelPath = "models/rm-e";
    public const string PromptsPath = "data/prompts.jsonl";
    public const string LexiconsPath = "data/lexicons";
    public const char TargetByte = 'e';
    public const int NPositions = 64;

    public PpoFixture()
    {
        Workspace = new TrainerWorkspace();
        var sft = SftVerbTests.TinyParams(60);
        sft["blockSize"] = 48;
        sft["model"] = new JsonObject { ["n_layer"] = 1, ["n_head"] = 2, ["n_embd"] = 32, ["n_positions"] = NPositions };
        var spec = Workspace.WriteSpec(Workspace.Spec("sft", "base-sft", "runs/base/sft", new JsonObject { ["corpus"] = TrainerWorkspace.CorpusPath }, sft), "base-sft");
        var (exitCode, output, error) = Workspace.RunProcessAsync("sft", spec).GetAwaiter().GetResult();
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"fixture sft failed ({exitCode}): {output}\n{error}");
        }

        var local = Path.Combine(Workspace.Root, "fixture-rm");
        using (var rewardModel = ByteShareRewardModel(TargetByte, NPositions))
        {
            rewardModel.Save(local);
        }

        TrainingFixtures.PutFolderAsync(Workspace, RewardModelPath, local).GetAwaiter().GetResult();
        Workspace.Store.PutFileAsync(PromptsPath, TrainerWorkspace.FindRepoFile("data/tiny/prompts.train.jsonl")).GetAwaiter().GetResult();
        var lexicons = Path.GetDirectoryName(TrainerWorkspace.FindRepoFile("data/tiny/lexicons/afinn-111.tsv"))!;
        TrainingFixtures.PutFolderAsync(Workspace, LexiconsPath, lexicons).GetAwaiter().GetResult();
    }

    public TrainerWorkspace Workspace { get; }

    /// <summary>The local folder of a model prefix in the store.</summary>
    public string LocalFolder(string prefix) => Path.GetDirectoryName(Workspace.Store.GetFilePath($"{prefix}/config.json"))!;

    /// <summary>
    /// A one-block GPT reward model set by hand so that its score rises with the share f of <paramref name="target"/>
    /// among all tokens of prompt + response. Embeddings: token t → (s, −s, 0…) with s = +1 for the target byte, −1
    /// otherwise; every position adds (0, 0, 1, −1, 0…). Attention has zero queries and keys, so it averages the
    /// (layer-normed) values of all real tokens: the residual's first coordinate becomes s_last + 2√2·(2f − 1); the MLP
    /// is switched off; after ln_f the head reads coordinate 0 (×2), a smooth increasing function of f.
    /// </summary>
    public static RewardModel ByteShareRewardModel(char target, int nPositions)
    {
        var tokenizer = new ByteTokenizer();
        var config = new GptConfig(tokenizer.VocabSize, nPositions, NEmbd: 32, NLayer: 1, NHead: 2);
        var trunk = new Gpt(config);
        var weights = trunk.state_dict();
        using (no_grad())
        {
            foreach (var (name, tensor) in weights.Where(w => !w.Key.Contains("ln_", StringComparison.Ordinal)))
            {
                tensor.zero_();
            }

            var sign = full(tokenizer.VocabSize, -1f);
            sign[target] = tensor(1f);
            weights["wte.weight"][.., 0] = sign;
            weights["wte.weight"][.., 1] = -sign;
            weights["wpe.weight"][.., 2] = tensor(1f);
            weights["wpe.weight"][.., 3] = tensor(-1f);
            weights["h.0.attn.c_attn.weight"][.., 64..96] = eye(32);                          // values = identity, queries = keys = 0
            weights["h.0.attn.c_proj.weight"].copy_(eye(32));
        }

        var model = new RewardModel(trunk, tokenizer);
        using (no_grad())
        {
            model.Head.Weight.zero_();
            model.Head.Weight[0, 0] = tensor(2f);
            model.Head.Bias.zero_();
        }

        return model;
    }

    public void Dispose() => Workspace.Dispose();
}

using Rlhf.TrainerJob.Model;
using TorchSharp;

namespace Rlhf.TrainerJob.Tests.Model;

/// <summary>Small configurations and seeded models shared by the model tests.</summary>
internal static class TinyGpt
{
    public static GptConfig Config { get; } = new(VocabSize: 258, NPositions: 64, NEmbd: 32, NLayer: 2, NHead: 2);

    public static Gpt Create(int seed = 1, GptConfig? config = null)
    {
        torch.manual_seed(seed);
        var model = new Gpt(config ?? Config);
        model.eval();
        return model;
    }

    public static torch.Tensor Ids(params long[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    public static float MaxAbsDiff(torch.Tensor a, torch.Tensor b) => a.sub(b).abs().max().item<float>();
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>GPT-2 MLP: <c>c_fc</c> (C → 4C), gelu_new (tanh approximation), <c>c_proj</c> (4C → C).</summary>
public sealed class GptMlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc;
    private readonly Conv1D c_proj;
    private readonly Dropout dropout;

    public GptMlp(GptConfig config) : base(nameof(GptMlp))
    {
        c_fc = new Conv1D(config.NEmbd, 4 * config.NEmbd);
        c_proj = new Conv1D(4 * config.NEmbd, config.NEmbd, 0.02 / Math.Sqrt(2.0 * config.NLayer));
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        dropout.forward(c_proj.forward(c_fc.forward(x).gelu(GELU.Approximate.tanh)));
}

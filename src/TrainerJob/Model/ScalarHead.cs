using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Linear C → 1 read off hidden states: the reward head (read at the last real token) and
/// the PPO value head (read at every position). Parameters are <c>weight</c> (1, C) and
/// <c>bias</c> (1), as <c>nn.Linear(C, 1)</c> in PyTorch.
/// </summary>
public sealed class ScalarHead : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Weight ~ normal(0, 1/sqrt(C + 1)) as in OpenAI's lm-human-preferences; bias 0.</summary>
    public ScalarHead(int nEmbd, Device? device = null) : base(nameof(ScalarHead))
    {
        weight = new Parameter(normal(0.0, 1.0 / Math.Sqrt(nEmbd + 1), [1, nEmbd]));
        bias = new Parameter(zeros(1));
        RegisterComponents();
        if (device is not null)
        {
            this.to(device);
        }
    }

    public Parameter Weight => weight;

    public Parameter Bias => bias;

    /// <summary>(B, T, C) → (B, T); also (B, C) → (B).</summary>
    public override Tensor forward(Tensor hidden) => nn.functional.linear(hidden, weight, bias).squeeze(-1);
}

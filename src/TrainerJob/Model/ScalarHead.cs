using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Linear C → 1 read off hidden states: the reward head (read at the last real token) and
/// the PPO value head (read at every position). Parameters are <c>weight</c> (1, C) and
/// <c>bias</c> (1), as <c>nn.Linear(C, 1)</c> in PyTorch. A reward ensemble has K outputs: <c>weight</c> (K, C), <c>bias</c> (K).
/// </summary>
public sealed class ScalarHead : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Weight ~ normal(0, 1/sqrt(C + 1)) as in OpenAI's lm-human-preferences; bias 0.</summary>
    public ScalarHead(int nEmbd, Device? device = null, int outputs = 1) : base(nameof(ScalarHead))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        Outputs = outputs;
        weight = new Parameter(normal(0.0, 1.0 / Math.Sqrt(nEmbd + 1), [outputs, nEmbd]));
        bias = new Parameter(zeros(outputs));
        RegisterComponents();
        if (device is not null)
        {
            this.to(device);
        }
    }

    /// <summary>K: 1 for a scalar head.</summary>
    public int Outputs { get; }

    public Parameter Weight => weight;

    public Parameter Bias => bias;

    /// <summary>(B, T, C) → (B, T); also (B, C) → (B). With K outputs: (…, C) → (…, K).</summary>
    public override Tensor forward(Tensor hidden)
    {
        var output = nn.functional.linear(hidden, weight, bias);
        return Outputs == 1 ? output.squeeze(-1) : output;
    }
}

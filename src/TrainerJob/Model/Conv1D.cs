using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Hugging Face GPT-2's "Conv1D": a linear layer whose weight is stored transposed,
/// <c>weight [in, out]</c>, <c>bias [out]</c>, computing <c>y = x @ weight + bias</c>.
/// Kept as its own module (not <c>nn.Linear</c>) so checkpoints interchange unchanged.
/// </summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Weight and bias start as GPT-2: normal(0, <paramref name="initStd"/>) and zeros.</summary>
    public Conv1D(long inFeatures, long outFeatures, double initStd = 0.02) : base(nameof(Conv1D))
    {
        weight = new Parameter(normal(0.0, initStd, [inFeatures, outFeatures]));
        bias = new Parameter(zeros(outFeatures));
        RegisterComponents();
    }

    /// <summary>Weight, shape (in, out).</summary>
    public Parameter Weight => weight;

    /// <summary>Bias, shape (out).</summary>
    public Parameter Bias => bias;

    /// <summary>(..., in) → (..., out).</summary>
    public override Tensor forward(Tensor input) => input.matmul(weight).add(bias, Scalars.One);
}

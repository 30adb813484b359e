using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>Pre-LN transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class GptBlock : nn.Module
{
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly GptMlp mlp;

    public GptBlock(GptConfig config, int layer) : base(nameof(GptBlock))
    {
        ln_1 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        attn = new CausalSelfAttention(config) { Layer = layer };
        ln_2 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        mlp = new GptMlp(config);
        RegisterComponents();
    }

    /// <summary>x (B, T, C), allowed (B|1, 1, T, L) → (B, T, C).</summary>
    public Tensor Forward(Tensor x, Tensor allowed, KvCache? cache)
    {
        x = x.add(attn.Forward(ln_1.forward(x), allowed, cache), Scalars.One);
        return x.add(mlp.forward(ln_2.forward(x)), Scalars.One);
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>GPT-2 multi-head self-attention: fused QKV projection <c>c_attn</c>, output <c>c_proj</c>.</summary>
public sealed class CausalSelfAttention : nn.Module
{
    private readonly Conv1D c_attn;
    private readonly Conv1D c_proj;
    private readonly Dropout resid_dropout;
    private readonly int _nHead;
    private readonly int _nEmbd;
    private readonly double _dropout;

    public CausalSelfAttention(GptConfig config) : base(nameof(CausalSelfAttention))
    {
        _nHead = config.NHead;
        _nEmbd = config.NEmbd;
        _dropout = config.Dropout;
        c_attn = new Conv1D(config.NEmbd, 3 * config.NEmbd);
        c_proj = new Conv1D(config.NEmbd, config.NEmbd, 0.02 / Math.Sqrt(2.0 * config.NLayer));
        resid_dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>Index of this block, used to address the KV cache.</summary>
    public int Layer { get; init; }

    /// <summary>
    /// x (B, T, C); allowed (B or 1, 1, T, Tpast + T) bool, true where a query may attend a key.
    /// With a cache, keys/values of earlier positions come from it and this step's are appended.
    /// Returns (B, T, C).
    /// </summary>
    public Tensor Forward(Tensor x, Tensor allowed, KvCache? cache)
    {
        var (b, t) = (x.shape[0], x.shape[1]);
        var qkv = c_attn.forward(x).split(_nEmbd, dim: 2);                // 3 × (B, T, C)
        var q = SplitHeads(qkv[0], b, t);                                   // (B, H, T, D)
        var k = SplitHeads(qkv[1], b, t);
        var v = SplitHeads(qkv[2], b, t);
        if (cache is not null)
        {
            (k, v) = cache.Append(Layer, k, v);                             // (B, H, Tpast + T, D)
        }

        var y = nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask: allowed, p: training ? _dropout : 0.0);     // (B, H, T, D)
        y = y.transpose(1, 2).contiguous().view(b, t, _nEmbd);              // (B, T, C)
        return resid_dropout.forward(c_proj.forward(y));
    }

    private Tensor SplitHeads(Tensor x, long b, long t) =>
        x.view(b, t, _nHead, _nEmbd / _nHead).transpose(1, 2);
}

using Rlhf.TrainerJob.Model;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Model;

/// <summary>
/// GPT-2 written independently of <see cref="Gpt"/>: one sequence, explicit per-head loops,
/// explicit causal softmax, GELU by its tanh formula, read straight from the HF state dict.
/// </summary>
internal static class ReferenceGpt2
{
    public static Tensor Logits(Dictionary<string, Tensor> w, GptConfig c, long[] ids)
    {
        var t = ids.Length;
        var d = c.NEmbd / c.NHead;
        var x = w["wte.weight"].index(tensor(ids)).add(w["wpe.weight"].narrow(0, 0, t)); // (T, C)
        for (var layer = 0; layer < c.NLayer; layer++)
        {
            var p = $"h.{layer}.";
            var qkv = Norm(x, w, p + "ln_1", c).matmul(w[p + "attn.c_attn.weight"]).add(w[p + "attn.c_attn.bias"]);
            var heads = new List<Tensor>();
            for (var head = 0; head < c.NHead; head++)
            {
                var q = qkv.narrow(1, head * d, d);
                var k = qkv.narrow(1, c.NEmbd + head * d, d);
                var v = qkv.narrow(1, 2 * c.NEmbd + head * d, d);
                var rows = new List<Tensor>();
                for (var i = 0; i < t; i++)
                {
                    var scores = k.narrow(0, 0, i + 1).matmul(q[i]).div(Math.Sqrt(d)); // (i + 1): keys 0..i only
                    rows.Add(scores.softmax(0).matmul(v.narrow(0, 0, i + 1)));
                }

                heads.Add(stack(rows));
            }

            x = x.add(cat(heads, 1).matmul(w[p + "attn.c_proj.weight"]).add(w[p + "attn.c_proj.bias"]));
            var u = Norm(x, w, p + "ln_2", c).matmul(w[p + "mlp.c_fc.weight"]).add(w[p + "mlp.c_fc.bias"]);
            var gelu = u.mul(0.5).mul(u.add(u.pow(3).mul(0.044715)).mul(Math.Sqrt(2 / Math.PI)).tanh().add(1));
            x = x.add(gelu.matmul(w[p + "mlp.c_proj.weight"]).add(w[p + "mlp.c_proj.bias"]));
        }

        return Norm(x, w, "ln_f", c).matmul(w["wte.weight"].t()); // (T, V)
    }

    private static Tensor Norm(Tensor x, Dictionary<string, Tensor> w, string name, GptConfig c)
    {
        var mean = x.mean([1], keepdim: true);
        var variance = x.sub(mean).pow(2).mean([1], keepdim: true);
        return x.sub(mean).div(variance.add(c.LayerNormEpsilon).sqrt()).mul(w[name + ".weight"]).add(w[name + ".bias"]);
    }
}

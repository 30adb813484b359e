using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Decoder-only transformer with Hugging Face GPT-2 parameter names and layouts
/// (<c>wte</c>, <c>wpe</c>, <c>h.{i}.ln_1</c>, <c>h.{i}.attn.c_attn</c>, ..., <c>ln_f</c>), so a
/// GPT-2 <c>model.safetensors</c> loads unchanged. The LM head is tied to <c>wte</c>.
/// </summary>
public sealed class Gpt : nn.Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly Dropout drop;
    private readonly ModuleList<GptBlock> h;
    private readonly LayerNorm ln_f;

    /// <summary>Builds a GPT-2-initialised model on <paramref name="device"/> (default CPU).</summary>
    public Gpt(GptConfig config, Device? device = null) : base(nameof(Gpt))
    {
        Config = config.Validate();
        wte = nn.Embedding(config.VocabSize, config.NEmbd);
        wpe = nn.Embedding(config.NPositions, config.NEmbd);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(i => new GptBlock(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        using (no_grad())
        {
            nn.init.normal_(wte.weight!, 0.0, 0.02);
            nn.init.normal_(wpe.weight!, 0.0, 0.02);
        }

        RegisterComponents();
        if (device is not null)
        {
            this.to(device);
        }
    }

    public GptConfig Config { get; }

    /// <summary>Device holding the weights.</summary>
    public Device Device => wte.weight!.device;

    /// <summary>Token embedding (V, C); also the LM head.</summary>
    public Parameter TokenEmbedding => wte.weight!;

    /// <summary>Number of trainable scalars (tied head counted once).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// Final hidden states after <c>ln_f</c>, (B, T, C).
    /// </summary>
    /// <param name="inputIds">(B, T) int64 token ids.</param>
    /// <param name="attentionMask">
    /// (B, Tpast + T), 1 = real token, 0 = padding (left padding for prompts). Position ids are
    /// <c>cumsum(mask) - 1</c> clamped at 0, so padding does not shift positions. Null = all real.
    /// </param>
    /// <param name="cache">Keys/values of the Tpast earlier positions; this call appends its own.</param>
    public Tensor Hidden(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        if (inputIds.dim() != 2)
        {
            throw new ArgumentException($"inputIds must be (B, T); got shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        }

        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        var past = cache?.Length ?? 0;
        var total = past + t;
        if (total > Config.NPositions)
        {
            throw new ArgumentException($"Sequence length {total} exceeds the model context n_positions={Config.NPositions}.", nameof(inputIds));
        }

        var device = inputIds.device;
        var query = arange(past, total, dtype: ScalarType.Int64, device: device).unsqueeze(1); // (T, 1)
        var key = arange(0, total, dtype: ScalarType.Int64, device: device).unsqueeze(0);      // (1, L)
        var causal = key.le(query);                                                            // (T, L)
        Tensor positions;                                                                      // (B|1, T)
        Tensor allowed;                                                                        // (B|1, 1, T, L)
        if (attentionMask is null)
        {
            positions = query.view(1, t);
            allowed = causal.view(1, 1, t, total);
        }
        else
        {
            if (attentionMask.dim() != 2 || attentionMask.shape[0] != b || attentionMask.shape[1] != total)
            {
                throw new ArgumentException(
                    $"attentionMask must be (B, Tpast + T) = [{b}, {total}]; got [{string.Join(", ", attentionMask.shape)}].",
                    nameof(attentionMask));
            }

            var mask = attentionMask.to(ScalarType.Int64);
            positions = mask.cumsum(1).sub(Scalars.One).clamp_min(Scalars.Zero).narrow(1, past, t);
            // A query always sees itself, so rows of pure padding stay finite (never all -inf).
            var realKey = mask.@bool().view(b, 1, 1, total);
            allowed = causal.view(1, 1, t, total).logical_and(realKey.logical_or(key.eq(query).view(1, 1, t, total)));
        }

        var x = drop.forward(wte.forward(inputIds).add(wpe.forward(positions), Scalars.One));               // (B, T, C)
        foreach (var block in h)
        {
            x = block.Forward(x, allowed, cache);
        }

        return ln_f.forward(x);
    }

    /// <summary>Next-token logits from hidden states via the tied embedding: (B, T, C) → (B, T, V).</summary>
    public Tensor Logits(Tensor hidden) => nn.functional.linear(hidden, wte.weight!);

    /// <summary>Plain language-model use: (B, T) ids → (B, T, V) logits, no padding.</summary>
    public override Tensor forward(Tensor inputIds) => Logits(Hidden(inputIds));
}

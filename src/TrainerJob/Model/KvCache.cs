using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Keys and values of every layer for the tokens already seen, so each generation step
/// feeds only the new tokens. Owns its tensors (detached from dispose scopes): dispose it
/// when generation ends.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;

    public KvCache(int nLayer)
    {
        _keys = new Tensor?[nLayer];
        _values = new Tensor?[nLayer];
    }

    /// <summary>Number of cached positions (Tpast), including left padding.</summary>
    public long Length => _keys[^1]?.shape[2] ?? 0;

    /// <summary>
    /// Appends this step's keys/values <c>(B, H, T, D)</c> for <paramref name="layer"/> and
    /// returns everything cached for it, <c>(B, H, Tpast + T, D)</c>.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        _keys[layer] = Concat(_keys[layer], keys);
        _values[layer] = Concat(_values[layer], values);
        return (_keys[layer]!, _values[layer]!);
    }

    public void Dispose()
    {
        foreach (var t in _keys.Concat(_values))
        {
            t?.Dispose();
        }

        Array.Clear(_keys);
        Array.Clear(_values);
    }

    private static Tensor Concat(Tensor? past, Tensor next)
    {
        var all = past is null ? next.detach() : cat([past, next.detach()], dim: 2);
        all.DetachFromDisposeScope();
        past?.Dispose();
        return all;
    }
}

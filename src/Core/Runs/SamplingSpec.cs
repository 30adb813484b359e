using System.ComponentModel.DataAnnotations;

namespace Rlhf.Core.Runs;

public sealed record SamplingSpec
{
    /// <summary>Completions per prompt; K ≥ 2 gives C(K,2) comparisons (K-wise ranking).</summary>
    [Range(2, 16)]
    public int K { get; init; } = 4;

    /// <summary>Parallel sample jobs; prompts are split round-robin over the shards.</summary>
    [Range(1, 64)]
    public int Shards { get; init; } = 2;

    /// <summary>Longest completion in tokens.</summary>
    [Range(1, 4096)]
    public int MaxNewTokens { get; init; } = 32;

    /// <summary>Softmax temperature (&gt; 0).</summary>
    [Range(0.0, 10.0, MinimumIsExclusive = true)]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep the K most likely tokens (0 = off).</summary>
    [Range(0, 100_000)]
    public int TopK { get; init; }

    /// <summary>Nucleus sampling mass in (0, 1] (1 = off).</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double TopP { get; init; } = 1.0;

    /// <summary>Use only the first N training prompts (0 = all).</summary>
    [Range(0, int.MaxValue)]
    public int PromptLimit { get; init; }
}

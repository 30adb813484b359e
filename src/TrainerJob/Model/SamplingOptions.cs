namespace Rlhf.TrainerJob.Model;

/// <summary>How <see cref="Sampler"/> picks tokens.</summary>
/// <param name="MaxNewTokens">Most tokens generated per row (EOS included).</param>
/// <param name="Temperature">Softmax temperature; 0 = greedy (argmax).</param>
/// <param name="TopK">Keep only the k most likely tokens before sampling; 0 = off.</param>
/// <param name="TopP">Nucleus: keep the smallest set of tokens whose probability reaches p; 1 = off.</param>
/// <param name="UseKvCache">Feed only new tokens each step; false recomputes the whole sequence (tests, benchmarks).</param>
public sealed record SamplingOptions(
    int MaxNewTokens = 32,
    double Temperature = 1.0,
    int TopK = 0,
    double TopP = 1.0,
    bool UseKvCache = true)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public SamplingOptions Validate()
    {
        if (MaxNewTokens <= 0)
        {
            throw new ArgumentException($"MaxNewTokens must be positive (got {MaxNewTokens}).");
        }

        if (Temperature < 0 || double.IsNaN(Temperature))
        {
            throw new ArgumentException($"Temperature must be >= 0 (got {Temperature}).");
        }

        if (TopK < 0)
        {
            throw new ArgumentException($"TopK must be >= 0 (got {TopK}).");
        }

        if (TopP is <= 0 or > 1 || double.IsNaN(TopP))
        {
            throw new ArgumentException($"TopP must be in (0, 1] (got {TopP}).");
        }

        return this;
    }
}

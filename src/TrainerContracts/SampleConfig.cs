namespace Rlhf.TrainerContracts;

/// <summary><c>params</c> of the <c>sample</c> verb: K completions per prompt of <c>inputs.prompts</c> from <c>inputs.policy</c>.</summary>
public sealed record SampleConfig
{
    /// <summary>Completions per prompt (K).</summary>
    public int K { get; init; } = 4;

    /// <summary>Most tokens per completion (EOS included).</summary>
    public int MaxNewTokens { get; init; } = 48;

    /// <summary>Softmax temperature; 0 = greedy.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Top-k filter; 0 = off.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus filter; 1 = off.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Sampling seed; null = the spec's seed. A prompt's completions depend only on this seed, the prompt's index in the file and the model.</summary>
    public long? Seed { get; init; }

    /// <summary>This job's shard: it takes prompts whose index i (in the file, after <see cref="Limit"/>) has <c>i % shards == shard</c>.</summary>
    public int Shard { get; init; }

    /// <summary>Number of shards the prompt set is split into.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>Use only the first N prompts of the file (before sharding); null = all.</summary>
    public int? Limit { get; init; }

    /// <summary>Throws <see cref="JobSpecException"/> naming the first invalid field.</summary>
    public SampleConfig Validate()
    {
        JobSpecException.Require(K > 0, "params.k", $"must be > 0 (got {K})");
        JobSpecException.Require(MaxNewTokens > 0, "params.maxNewTokens", $"must be > 0 (got {MaxNewTokens})");
        JobSpecException.Require(Temperature >= 0, "params.temperature", $"must be >= 0 (got {Temperature})");
        JobSpecException.Require(TopK >= 0, "params.topK", $"must be >= 0 (got {TopK})");
        JobSpecException.Require(TopP is > 0 and <= 1, "params.topP", $"must be in (0, 1] (got {TopP})");
        JobSpecException.Require(Shards > 0, "params.shards", $"must be > 0 (got {Shards})");
        JobSpecException.Require(Shard >= 0 && Shard < Shards, "params.shard", $"must be in [0, shards) (got {Shard} of {Shards})");
        JobSpecException.Require(Limit is null or > 0, "params.limit", $"must be > 0 (got {Limit})");
        return this;
    }
}

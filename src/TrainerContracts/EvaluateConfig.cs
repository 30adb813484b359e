namespace Rlhf.TrainerContracts;

/// <summary><c>params</c> of the <c>evaluate</c> verb: sampling of policy and reference, and the reward-hacking alarm thresholds.</summary>
public sealed record EvaluateConfig
{
    /// <summary>Completions per prompt from each of policy and reference (N).</summary>
    public int SamplesPerPrompt { get; init; } = 4;

    /// <summary>Most tokens per completion (EOS included).</summary>
    public int MaxNewTokens { get; init; } = 48;

    /// <summary>Softmax temperature τ of both samplers; KL and entropy use logits / τ (τ = 0: greedy sampling, τ = 1 for KL).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Top-k filter (sampling only); 0 = off.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus filter (sampling only); 1 = off.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Use only the first N prompts; null = all.</summary>
    public int? Limit { get; init; }

    /// <summary>Sampling seed; null = the spec's seed. Prompt i's completions of policy and reference use the same generator seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Sequences per reward-model / log-prob forward pass.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Alarm <c>kl_high</c> when <c>eval/kl</c> (k1, nats per sequence) exceeds this.</summary>
    public double KlThreshold { get; init; } = 10.0;

    /// <summary>Alarm <c>reward_hacking</c> when the normalised RM score rises by more than this over the reference…</summary>
    public double HackingRewardRise { get; init; } = 0.25;

    /// <summary>…while mean gold falls by more than this (only with <c>inputs.lexicons</c>).</summary>
    public double HackingGoldDrop { get; init; } = 0.02;

    /// <summary>Alarm <c>entropy_collapse</c> when the policy's mean token entropy is below this fraction of the reference's.</summary>
    public double EntropyCollapseRatio { get; init; } = 0.5;

    /// <summary>Alarm <c>length_drift</c> when |mean length − reference mean length| / reference mean length exceeds this.</summary>
    public double LengthDriftThreshold { get; init; } = 0.5;

    /// <summary>Alarm <c>ending_collapse</c> when the policy's EOS or sentence-end fraction is below this fraction of the reference's (docs/alarms.md).</summary>
    public double EndingCollapseRatio { get; init; } = 0.5;

    /// <summary>Alarm <c>distinct_collapse</c> when the policy's distinct-1 or distinct-2 is below this fraction of the reference's.</summary>
    public double DistinctCollapseRatio { get; init; } = 0.75;

    /// <summary>Alarm <c>fluency_drop</c> when mean <c>gold/fluency</c> falls by more than this below the reference's (V2 gold only).</summary>
    public double FluencyDrop { get; init; } = 0.05;

    /// <summary>Alarm <c>length_pinned</c> when more than this share of policy completions stop at <c>maxNewTokens</c> without EOS…</summary>
    public double LengthPinnedShare { get; init; } = 0.5;

    /// <summary>Alarm <c>gain_one_term</c> when gold rose and one component carries more than this share of the summed component gains.</summary>
    public double GainConcentration { get; init; } = 0.8;

    /// <summary>Throws <see cref="JobSpecException"/> naming the first invalid field.</summary>
    public EvaluateConfig Validate()
    {
        JobSpecException.Require(SamplesPerPrompt > 0, "params.samplesPerPrompt", $"must be > 0 (got {SamplesPerPrompt})");
        JobSpecException.Require(MaxNewTokens > 0, "params.maxNewTokens", $"must be > 0 (got {MaxNewTokens})");
        JobSpecException.Require(Temperature >= 0, "params.temperature", $"must be >= 0 (got {Temperature})");
        JobSpecException.Require(TopK >= 0, "params.topK", $"must be >= 0 (got {TopK})");
        JobSpecException.Require(TopP is > 0 and <= 1, "params.topP", $"must be in (0, 1] (got {TopP})");
        JobSpecException.Require(Limit is null or > 0, "params.limit", $"must be > 0 (got {Limit})");
        JobSpecException.Require(BatchSize > 0, "params.batchSize", $"must be > 0 (got {BatchSize})");
        JobSpecException.Require(KlThreshold > 0, "params.klThreshold", $"must be > 0 (got {KlThreshold})");
        JobSpecException.Require(HackingRewardRise >= 0, "params.hackingRewardRise", $"must be >= 0 (got {HackingRewardRise})");
        JobSpecException.Require(HackingGoldDrop >= 0, "params.hackingGoldDrop", $"must be >= 0 (got {HackingGoldDrop})");
        JobSpecException.Require(EntropyCollapseRatio is > 0 and < 1, "params.entropyCollapseRatio", $"must be in (0, 1) (got {EntropyCollapseRatio})");
        JobSpecException.Require(LengthDriftThreshold > 0, "params.lengthDriftThreshold", $"must be > 0 (got {LengthDriftThreshold})");
        JobSpecException.Require(EndingCollapseRatio is > 0 and < 1, "params.endingCollapseRatio", $"must be in (0, 1) (got {EndingCollapseRatio})");
        JobSpecException.Require(DistinctCollapseRatio is > 0 and < 1, "params.distinctCollapseRatio", $"must be in (0, 1) (got {DistinctCollapseRatio})");
        JobSpecException.Require(FluencyDrop >= 0, "params.fluencyDrop", $"must be >= 0 (got {FluencyDrop})");
        JobSpecException.Require(LengthPinnedShare is > 0 and < 1, "params.lengthPinnedShare", $"must be in (0, 1) (got {LengthPinnedShare})");
        JobSpecException.Require(GainConcentration is > 0.5 and <= 1, "params.gainConcentration", $"must be in (0.5, 1] (got {GainConcentration})");
        return this;
    }
}

using System.Text.Json.Nodes;

namespace Rlhf.Bench.LearningOutcome;

/// <summary>
/// Sizes of the learning-outcome benchmark, chosen so the whole run fits in 20 minutes on 2 CPU cores
/// (see docs/learning-outcome.md for the measured times). Every trainer job gets its <c>params</c> from here.
/// </summary>
public sealed record BenchConfig
{
    /// <summary>Trainer seed of every job.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Torch threads per trainer job.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Characters of the corpus used for SFT (its head).</summary>
    public int CorpusChars { get; init; } = 2_000_000;

    /// <summary>Training prompts sampled for preference collection.</summary>
    public int LabelPrompts { get; init; } = 1000;

    /// <summary>Completions per labeled prompt (K); the annotator ranks all K.</summary>
    public int K { get; init; } = 4;

    /// <summary>Two independent simulated annotators agree on this share of pairs (InstructGPT: ~73 %).</summary>
    public double TargetAgreement { get; init; } = 0.73;

    /// <summary>Training prompts PPO rolls out on.</summary>
    public int PpoPrompts { get; init; } = 2_000;

    /// <summary>Held-out prompts of the final evaluation.</summary>
    public int EvalPrompts { get; init; } = 64;

    /// <summary>SFT optimiser steps.</summary>
    public int SftSteps { get; init; } = 800;

    /// <summary>Reward-model epochs over the labeled prompts.</summary>
    public int RewardEpochs { get; init; } = 3;

    /// <summary>PPO rollout + update iterations.</summary>
    public int PpoIterations { get; init; } = 40;

    /// <summary>DPO epochs over the preference pairs.</summary>
    public int DpoEpochs { get; init; } = 1;

    /// <summary>Tokens per completion everywhere (sample, PPO, evaluate).</summary>
    public int MaxNewTokens { get; init; } = 48;

    public JsonObject Sft => new()
    {
        ["steps"] = SftSteps,
        ["batchSize"] = 16,
        ["blockSize"] = 64,
        ["learningRate"] = 2e-3,
        ["minLr"] = 2e-4,
        ["warmupSteps"] = 50,
        ["evalEvery"] = Math.Max(1, SftSteps / 4),
        ["evalWindows"] = 32,
        ["documentSplit"] = "sentence",
        ["model"] = new JsonObject { ["n_layer"] = 2, ["n_head"] = 4, ["n_embd"] = 64, ["n_positions"] = 128 },
    };

    public JsonObject Sample => new() { ["k"] = K, ["maxNewTokens"] = MaxNewTokens, ["limit"] = LabelPrompts };

    public JsonObject Reward => new()
    {
        ["learningRate"] = 5e-4,
        ["batchSize"] = 16,
        ["epochs"] = RewardEpochs,
        ["maxLength"] = 128,
        ["validationFraction"] = 0.2,
        ["warmupSteps"] = 5,
        ["minLearningRate"] = 5e-5,
        ["evalEvery"] = 25,
    };

    public JsonObject Ppo => new()
    {
        ["learningRate"] = 1e-4,
        ["iterations"] = PpoIterations,
        ["rolloutBatchSize"] = 32,
        ["numMiniBatches"] = 2,
        ["ppoEpochs"] = 4,
        ["maxNewTokens"] = MaxNewTokens,
        ["klTarget"] = 6.0,
        ["initKlCoef"] = 0.1,
        ["missingEosPenalty"] = 1.0,
    };

    public JsonObject Dpo => new()
    {
        ["learningRate"] = 3e-4,
        ["warmupSteps"] = 10,
        ["batchSize"] = 16,
        ["epochs"] = DpoEpochs,
        ["maxLength"] = 128,
        ["beta"] = 0.3,
    };

    public JsonObject Evaluate => new() { ["samplesPerPrompt"] = 4, ["maxNewTokens"] = MaxNewTokens, ["limit"] = EvalPrompts };
}

using System.Text.Json.Serialization;

namespace Rlhf.TrainerContracts;

/// <summary><c>params</c> of the <c>sft</c> verb: next-token cross-entropy on <c>inputs.corpus</c>, AdamW, warmup + cosine.</summary>
public sealed record SftConfig
{
    /// <summary>Optimiser steps to run.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Windows per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Tokens per window (context used in training); at most the model's n_positions.</summary>
    public int BlockSize { get; init; } = 64;

    /// <summary>Peak learning rate, reached after <see cref="WarmupSteps"/>.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning rate at the last step (cosine floor).</summary>
    public double MinLr { get; init; } = 1e-4;

    /// <summary>Linear warmup steps.</summary>
    public int WarmupSteps { get; init; } = 10;

    /// <summary>AdamW decoupled weight decay, on matrices only.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Gradient clipping: maximum global L2 norm.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Held-out loss every N steps (and at step 0 and the last step); 0 = only at step 0 and the end.</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>Fraction of the corpus (its tail) held out for <c>sft/heldout_loss</c>.</summary>
    public double HeldoutFraction { get; init; } = 0.1;

    /// <summary>Most held-out windows evaluated (fixed, non-overlapping, from the start of the tail).</summary>
    public int EvalWindows { get; init; } = 64;

    /// <summary>Documents of the corpus, each followed by EOS: <c>paragraph</c> or <c>sentence</c> (learn to end a sentence).</summary>
    public DocumentSplit DocumentSplit { get; init; } = DocumentSplit.Paragraph;

    /// <summary>Architecture when training from scratch; must be omitted with <c>inputs.policy</c> (the policy's config is used).</summary>
    public SftModelParams? Model { get; init; }

    /// <summary>Throws <see cref="JobSpecException"/> naming the first invalid field.</summary>
    public SftConfig Validate(bool hasPolicy)
    {
        JobSpecException.Require(Steps > 0, "params.steps", $"must be > 0 (got {Steps})");
        JobSpecException.Require(BatchSize > 0, "params.batchSize", $"must be > 0 (got {BatchSize})");
        JobSpecException.Require(BlockSize >= 2, "params.blockSize", $"must be >= 2 (got {BlockSize})");
        JobSpecException.Require(LearningRate > 0, "params.learningRate", $"must be > 0 (got {LearningRate})");
        JobSpecException.Require(MinLr >= 0 && MinLr <= LearningRate, "params.minLr", $"must be in [0, learningRate] (got {MinLr})");
        JobSpecException.Require(WarmupSteps >= 0 && WarmupSteps <= Steps, "params.warmupSteps", $"must be in [0, steps] (got {WarmupSteps})");
        JobSpecException.Require(WeightDecay >= 0, "params.weightDecay", $"must be >= 0 (got {WeightDecay})");
        JobSpecException.Require(Beta1 is >= 0 and < 1, "params.beta1", $"must be in [0, 1) (got {Beta1})");
        JobSpecException.Require(Beta2 is >= 0 and < 1, "params.beta2", $"must be in [0, 1) (got {Beta2})");
        JobSpecException.Require(GradClip > 0, "params.gradClip", $"must be > 0 (got {GradClip})");
        JobSpecException.Require(EvalEvery >= 0, "params.evalEvery", $"must be >= 0 (got {EvalEvery})");
        JobSpecException.Require(HeldoutFraction is > 0 and <= 0.5, "params.heldoutFraction", $"must be in (0, 0.5] (got {HeldoutFraction})");
        JobSpecException.Require(Enum.IsDefined(DocumentSplit), "params.documentSplit", $"must be paragraph or sentence (got {DocumentSplit})");
        JobSpecException.Require(EvalWindows > 0, "params.evalWindows", $"must be > 0 (got {EvalWindows})");
        JobSpecException.Require(!(hasPolicy && Model is not null), "params.model", "must be omitted when inputs.policy is given (the architecture comes from the policy)");
        if (!hasPolicy)
        {
            (Model ?? new SftModelParams()).Validate(BlockSize);
        }

        return this;
    }
}

/// <summary><c>params.model</c>: a GPT-2-style architecture to train from scratch (Hugging Face key names).</summary>
public sealed record SftModelParams
{
    /// <summary>Transformer blocks.</summary>
    [JsonPropertyName("n_layer")]
    public int NLayer { get; init; } = 2;

    /// <summary>Attention heads per block; must divide n_embd.</summary>
    [JsonPropertyName("n_head")]
    public int NHead { get; init; } = 2;

    /// <summary>Residual stream width.</summary>
    [JsonPropertyName("n_embd")]
    public int NEmbd { get; init; } = 64;

    /// <summary>Context length (learned positions); at least blockSize.</summary>
    [JsonPropertyName("n_positions")]
    public int NPositions { get; init; } = 128;

    /// <summary>
    /// Tokenizer: <c>byte</c> (258 ids), <c>words</c> (bytes plus the corpus's <see cref="VocabWords"/> most frequent
    /// words) or <c>gpt2</c> (BPE, 50257 ids).
    /// </summary>
    public string Tokenizer { get; init; } = TokenizerNames.Byte;

    /// <summary>Vocabulary words of the <c>words</c> tokenizer, taken from the SFT corpus (ignored by the others).</summary>
    public int VocabWords { get; init; } = 4096;

    /// <summary>Dropout probability (0 = off).</summary>
    public double Dropout { get; init; }

    public void Validate(int blockSize)
    {
        JobSpecException.Require(NLayer > 0, "params.model.n_layer", $"must be > 0 (got {NLayer})");
        JobSpecException.Require(NHead > 0, "params.model.n_head", $"must be > 0 (got {NHead})");
        JobSpecException.Require(NEmbd > 0 && NEmbd % NHead == 0, "params.model.n_embd", $"must be > 0 and divisible by n_head (got {NEmbd}, n_head {NHead})");
        JobSpecException.Require(NPositions >= blockSize, "params.model.n_positions", $"must be >= params.blockSize (got {NPositions} < {blockSize})");
        JobSpecException.Require(TokenizerNames.All.Contains(Tokenizer), "params.model.tokenizer", $"must be one of {string.Join(", ", TokenizerNames.All)} (got '{Tokenizer}')");
        JobSpecException.Require(VocabWords is >= 1 and <= 60_000, "params.model.vocabWords", $"must be in [1, 60000] (got {VocabWords})");
        JobSpecException.Require(Dropout is >= 0 and < 1, "params.model.dropout", $"must be in [0, 1) (got {Dropout})");
    }
}

using System.Text.Json.Nodes;

namespace Rlhf.Core.Runs;

public enum BasePolicySource
{
    /// <summary>Train a small GPT on <see cref="DatasetsSpec.Corpus"/> (trainer verb <c>sft</c>).</summary>
    Train,

    /// <summary>Load a GPT-2-format model folder from the store.</summary>
    Checkpoint,

    /// <summary>Start from the published champion (warm start).</summary>
    Champion,
}

public sealed record BasePolicySpec
{
    /// <summary>train | checkpoint | champion.</summary>
    public BasePolicySource Source { get; init; } = BasePolicySource.Train;

    /// <summary>Model folder in the store (GPT-2 safetensors + config); required when source is checkpoint.</summary>
    [StorePath]
    public string? Checkpoint { get; init; }

    /// <summary>Parameters of the <c>sft</c> trainer verb (model size, steps, lr, ...), passed through.</summary>
    public JsonObject Sft { get; init; } = [];
}

public sealed record DatasetsSpec
{
    /// <summary>Plain-text corpus for SFT (source train) and for the PPO pre-training mix.</summary>
    [StorePath]
    public string? Corpus { get; init; } = "datasets/tiny/corpus.txt";

    /// <summary>JSONL prompts (<c>{"id","prompt"}</c>) sampled for labeling and used by PPO.</summary>
    [StorePath]
    public string TrainPrompts { get; init; } = "datasets/tiny/prompts.train.jsonl";

    /// <summary>JSONL prompts kept out of training, used by evaluation.</summary>
    [StorePath]
    public string HeldOutPrompts { get; init; } = "datasets/tiny/prompts.heldout.jsonl";

    /// <summary>Folder (store prefix) of the lexicons behind the demo's gold score; evaluation and PPO report gold scores when set.</summary>
    [StorePath]
    public string? Lexicons { get; init; } = "datasets/tiny/lexicons";

    /// <summary>JSONL of train prompts with a reference continuation (<c>{"prompt","reference"}</c>), read by the RL verbs' rougeL reward source.</summary>
    [StorePath]
    public string? References { get; init; }
}

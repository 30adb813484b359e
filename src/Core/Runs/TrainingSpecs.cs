using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;

namespace Rlhf.Core.Runs;

/// <summary>Policy-optimisation algorithms; each has one row in <see cref="PolicyAlgorithms"/>.</summary>
public enum PolicyAlgorithm
{
    Ppo,
    Dpo,
    Grpo,
    Rloo,
}

public enum PublishMetric
{
    /// <summary>Mean gold score on the held-out prompts (demo task; the truth).</summary>
    Gold,

    /// <summary>Mean (normalised) reward-model score on the held-out prompts.</summary>
    Rm,
}

public sealed record RewardModelSpec
{
    /// <summary>Parameters of the <c>reward</c> trainer verb (steps, lr, margin, ...), passed through.</summary>
    public JsonObject Params { get; init; } = [];
}

public sealed record PolicySpec
{
    /// <summary>ppo | dpo | grpo | rloo (see <see cref="PolicyAlgorithms"/>).</summary>
    public PolicyAlgorithm Algorithm { get; init; } = PolicyAlgorithm.Ppo;

    /// <summary>Parameters of the <c>ppo</c> trainer verb (KL target, GAE, clip, ...), passed through.</summary>
    public JsonObject Ppo { get; init; } = [];

    /// <summary>Parameters of the <c>dpo</c> trainer verb (beta, loss, ...), passed through.</summary>
    public JsonObject Dpo { get; init; } = [];

    /// <summary>Parameters of the <c>grpo</c> trainer verb (numGenerations, beta, lossType, scaleRewards, ...), passed through.</summary>
    public JsonObject Grpo { get; init; } = [];

    /// <summary>Parameters of the <c>rloo</c> trainer verb (numGenerations, beta, normalizeAdvantages, ...), passed through.</summary>
    public JsonObject Rloo { get; init; } = [];
}

public sealed record EvaluationSpec
{
    /// <summary>Held-out prompt set (null = datasets.heldOutPrompts).</summary>
    [StorePath]
    public string? Prompts { get; init; }

    /// <summary>Completions per held-out prompt.</summary>
    [Range(1, 64)]
    public int SamplesPerPrompt { get; init; } = 2;

    /// <summary>Use only the first N held-out prompts (0 = all).</summary>
    [Range(0, int.MaxValue)]
    public int PromptLimit { get; init; }

    /// <summary>Extra parameters of the <c>evaluate</c> trainer verb, passed through.</summary>
    public JsonObject Params { get; init; } = [];
}

public sealed record PublishSpec
{
    /// <summary>Promote the new policy when it beats the champion.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>gold | rm: the evaluation metric compared with the champion's.</summary>
    public PublishMetric Metric { get; init; } = PublishMetric.Gold;

    /// <summary>Required gain over the champion's metric (≥ 0).</summary>
    [Range(0.0, double.MaxValue)]
    public double MinImprovement { get; init; }
}

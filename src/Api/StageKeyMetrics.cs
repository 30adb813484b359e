using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>
/// The metrics that tell how each stage went, in display order: the reward model's held-out accuracy (never its training
/// accuracy), PPO's reward, KL and β, each algorithm's own for the others. A stage shows only its own keys, so the figures of
/// an earlier stage never appear next to a later one.
/// </summary>
public static class StageKeyMetrics
{
    private static readonly IReadOnlyDictionary<string, string[]> Keys = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [PipelineStages.Name(PipelineStage.BasePolicy)] = ["sft/heldout_loss", "sft/loss"],
        [PipelineStages.Name(PipelineStage.SupervisedCai)] = ["sl-cai/revised", "sl-cai/responses", "sl-cai/rounds"],
        [PipelineStages.Name(PipelineStage.Samples)] = ["sample/response_tokens", "sample/eos_fraction"],
        [PipelineStages.Name(PipelineStage.Labels)] = [MetricKeys.GoldAgreement],
        [PipelineStages.Name(PipelineStage.Reward)] = ["rm/heldout_accuracy", "rm/heldout_loss"],
        // PPO: reward, KL, β; GRPO/RLOO: reward, its spread in a group, KL; DPO: preference accuracy and margin
        [PipelineStages.Name(PipelineStage.Policy)] =
            ["objective/scores", "reward", "reward_std_within_group", "objective/kl", "objective/kl_coef", "rewards/accuracies", "rewards/margins"],
        [PipelineStages.Name(PipelineStage.Evaluate)] = [MetricKeys.Reward, MetricKeys.Kl, MetricKeys.Gold, MetricKeys.WinRate],
    };

    /// <summary>Short names for the terminal.</summary>
    private static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sft/heldout_loss"] = "held-out loss",
        ["sft/loss"] = "loss",
        ["sl-cai/revised"] = "revised",
        ["sl-cai/responses"] = "responses",
        ["sl-cai/rounds"] = "rounds",
        ["sample/response_tokens"] = "tokens",
        ["sample/eos_fraction"] = "EOS",
        [MetricKeys.GoldAgreement] = "gold agreement",
        ["rm/heldout_accuracy"] = "held-out acc",
        ["rm/heldout_loss"] = "held-out loss",
        ["objective/scores"] = "reward",
        ["reward"] = "reward",
        ["reward_std_within_group"] = "group std",
        ["objective/kl"] = "KL",
        ["objective/kl_coef"] = "β",
        ["rewards/accuracies"] = "acc",
        ["rewards/margins"] = "margin",
        [MetricKeys.Reward] = "reward",
        [MetricKeys.Kl] = "KL",
        [MetricKeys.Gold] = "gold",
        [MetricKeys.WinRate] = "win rate",
    };

    /// <summary>The key metrics of <paramref name="stage"/> found in <paramref name="metrics"/>, in display order.</summary>
    public static IReadOnlyDictionary<string, double> Pick(string stage, IReadOnlyDictionary<string, double>? metrics)
    {
        var picked = new OrderedDictionary<string, double>(StringComparer.Ordinal);
        if (metrics is not null && Keys.TryGetValue(stage, out var keys))
        {
            foreach (var key in keys)
            {
                if (metrics.TryGetValue(key, out var value) && double.IsFinite(value))
                {
                    picked[key] = value;
                }
            }
        }

        return picked;
    }

    public static string Label(string key) => Labels.GetValueOrDefault(key, key);
}

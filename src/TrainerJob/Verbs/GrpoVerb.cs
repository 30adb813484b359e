using Rlhf.Core.Jobs;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Training;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>
/// <c>grpo</c>: Group Relative Policy Optimization (Shao et al. 2024, DeepSeekMath; TRL <c>GRPOTrainer</c>). G completions
/// per prompt; Â = (r − mean_group) / (std + 1e-4) (<see cref="GroupAdvantages.Grpo"/>, <c>scaleRewards</c>); token-level
/// clipped ratio with [1 − ε, 1 + ε_high], + β·k3 to the reference, averaged by <c>lossType</c>
/// (<see cref="CriticFreeLosses.Grpo"/>). No value model. Params: <see cref="GrpoConfig"/>; loop: <see cref="CriticFreeRun"/>.
/// </summary>
public sealed class GrpoVerb : IVerb
{
    public string Name => JobVerbs.Grpo;

    public string Description => "GRPO on inputs.prompts against inputs.rewardModel (G completions per prompt, no critic) -> {output}/model/";

    public VerbRun Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        CriticFreeRun.RequireInputs(spec);
        var config = TrainerParams.Read<GrpoConfig>(spec.Params);
        return (context, cancellationToken) => CriticFreeRun.RunAsync(context, config, rollout => Step(rollout, config), cancellationToken);
    }

    /// <summary>Step 4 of a GRPO iteration: group advantages of the reward-model score, and the minibatch loss over them.</summary>
    public static CriticFreeStep Step(GroupRollout rollout, GrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(config);
        var g = config.NumGenerations;
        var advantage = GroupAdvantages.Grpo(rollout.Scores.unsqueeze(1), [1.0], g, config.ScaleRewards, RewardAggregation.SumThenNormalize);
        var metrics = new Dictionary<string, double>
        {
            ["reward"] = advantage.Rewards.mean().item<float>(),
            ["reward_std"] = advantage.Rewards.std().item<float>(),
            ["reward_std_within_group"] = advantage.GroupStd.mean().item<float>(),
            ["frac_reward_zero_std"] = advantage.StdIsZero.to_type(ScalarType.Float32).mean().item<float>(),
            ["advantages/abs_mean"] = advantage.Advantages.abs().mean().item<float>(),
        };
        CriticFreeLoss Loss(Tensor logProbs, Tensor rows) => CriticFreeLosses.Grpo(
            logProbs,
            rollout.OldLogProbs.index_select(0, rows),
            rollout.RefLogProbs?.index_select(0, rows),
            advantage.Advantages.index_select(0, rows),
            rollout.ResponseMask.index_select(0, rows),
            config.LossType,
            config.Epsilon,
            config.UpperClip,
            config.Beta,
            config.MaxNewTokens);
        return new CriticFreeStep(Loss, metrics);
    }
}

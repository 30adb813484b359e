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
        var config = TrainerParams.Read<GrpoConfig>(spec.Params);
        CriticFreeRun.RequireInputs(spec, config);
        return (context, cancellationToken) => CriticFreeRun.RunAsync(context, config, (rollout, rewards) => Step(rollout, rewards, config), cancellationToken);
    }

    /// <summary>Step 4 of a GRPO iteration: group advantages of the weighted reward sources, and the minibatch loss over them.</summary>
    public static CriticFreeStep Step(GroupRollout rollout, RewardSources rewards, GrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(config);
        var perSource = rewards.Score(rollout.Scores, rollout.EndedWithEos, rollout.ResponseMask, config.MaxNewTokens, rollout.Prompts, rollout.Completions); // (R, K)
        var advantage = GroupAdvantages.Grpo(perSource, rewards.Weights, config.NumGenerations, config.ScaleRewards, config.RewardAggregation);
        var metrics = new Dictionary<string, double>(rewards.Metrics(perSource))
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

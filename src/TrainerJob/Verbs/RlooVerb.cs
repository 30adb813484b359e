using Rlhf.Core.Jobs;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Training;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>
/// <c>rloo</c>: REINFORCE Leave-One-Out (Kool et al. 2019; Ahmadian et al. 2024; TRL <c>RLOOTrainer</c>). The reward of
/// each completion is its score minus β · its k1 sequence KL to the reference; the baseline is the mean reward of the
/// group's other G − 1 completions (<see cref="GroupAdvantages.Rloo"/>); the whole completion is one action, so the
/// clipped ratio is taken at sequence level (<see cref="CriticFreeLosses.Rloo"/>). No value model.
/// Params: <see cref="RlooConfig"/>; loop: <see cref="CriticFreeRun"/>.
/// </summary>
public sealed class RlooVerb : IVerb
{
    public string Name => JobVerbs.Rloo;

    public string Description => "RLOO on inputs.prompts against inputs.rewardModel (leave-one-out baseline, no critic) -> {output}/model/";

    public VerbRun Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var config = TrainerParams.Read<RlooConfig>(spec.Params);
        CriticFreeRun.RequireInputs(spec, config);
        return (context, cancellationToken) => CriticFreeRun.RunAsync(context, config, (rollout, rewards) => Step(rollout, rewards, config), cancellationToken);
    }

    /// <summary>Step 4 of an RLOO iteration: KL-penalised rewards, leave-one-out advantages, and the minibatch loss over them.</summary>
    public static CriticFreeStep Step(GroupRollout rollout, RewardSources rewards, RlooConfig config)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(config);
        var mask = rollout.ResponseMask;
        // r = Σ_k w_k·r_k − β · Σ_t (log π_old − log π_ref), the k1 sequence KL (TRL computes it from the rollout's log-probs).
        var kl = rollout.RefLogProbs is { } refLogProbs
            ? KlEstimators.SequenceSum(KlEstimators.PerToken(rollout.OldLogProbs, refLogProbs, KlEstimator.K1), mask)
            : zeros_like(rollout.Scores);                                                                  // (R)
        var perSource = rewards.Score(rollout.Scores, rollout.EndedWithEos, rollout.ResponseMask, config.MaxNewTokens, rollout.Prompts, rollout.Completions); // (R, K)
        var reward = rewards.Combine(perSource, config.RewardAggregation, config.NumGenerations) - config.Beta * kl; // (R)
        var advantages = GroupAdvantages.Rloo(reward, config.NumGenerations, config.NormalizeAdvantages);  // (R)
        var groupStd = reward.reshape(-1, config.NumGenerations).std(1);                                    // (P)
        var metrics = new Dictionary<string, double>(rewards.Metrics(perSource))
        {
            ["reward"] = reward.mean().item<float>(),
            ["reward_std"] = reward.std().item<float>(),
            ["reward_std_within_group"] = groupStd.mean().item<float>(),
            ["frac_reward_zero_std"] = groupStd.abs().le(1e-8).to_type(ScalarType.Float32).mean().item<float>(),
            ["kl"] = kl.mean().item<float>(),
            ["advantages/abs_mean"] = advantages.abs().mean().item<float>(),
        };
        CriticFreeLoss Loss(Tensor logProbs, Tensor rows) => CriticFreeLosses.Rloo(
            logProbs,
            rollout.OldLogProbs.index_select(0, rows),
            advantages.index_select(0, rows),
            mask.index_select(0, rows),
            config.Epsilon,
            config.UpperClip);
        return new CriticFreeStep(Loss, metrics);
    }
}

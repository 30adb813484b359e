using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Verbs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>What the policy and critic are trained with: the models, their one AdamW, and the optional pre-training data of PPO-ptx.</summary>
/// <param name="Policy">π_θ (trainable).</param>
/// <param name="Critic">V_φ (trainable, its own trunk).</param>
/// <param name="Optimizer">One AdamW over policy and critic parameters (TRL's PolicyAndValueWrapper).</param>
/// <param name="Pretrain">Pre-training windows for the ptx term; null when <c>ptxCoef</c> is 0.</param>
public sealed record PpoLearner(Gpt Policy, PpoCritic Critic, AdamW Optimizer, SftData? Pretrain);

/// <summary>The metrics of one iteration and the batch's mean sequence KL (what the KL controller is fed).</summary>
public sealed record PpoIterationResult(Dictionary<string, double> Metrics, double MeanSequenceKl);

/// <summary>
/// Steps 4–7 of a PPO iteration on a recorded <see cref="Rollout"/> (Ziegler et al. 2019; InstructGPT; TRL's
/// <c>PPOTrainer</c>): KL-shaped rewards, optional reward whitening, GAE, advantage whitening, then
/// <c>ppoEpochs</c> passes of shuffled minibatches with the clipped policy and value losses (+ γ_ptx · LM loss).
/// </summary>
public static class PpoUpdate
{
    /// <param name="klCoef">β of this iteration (from the KL controller).</param>
    /// <param name="scoreStats">The reward model's score mean/std (used when <c>normalizeScores</c>).</param>
    /// <param name="generator">CPU generator for minibatch order and ptx windows (the job's, checkpointed).</param>
    public static PpoIterationResult Run(PpoLearner learner, Rollout rollout, PpoConfig config, double klCoef, RewardStats scoreStats, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(scoreStats);
        var mask = rollout.ResponseMask;                                                                  // (B, N)

        // 4. per-token KL to the reference and shaped rewards: −β·kl_t on every token, + score at the last token.
        var klPenalty = KlEstimators.PerToken(rollout.LogProbs, rollout.RefLogProbs, config.KlEstimator);  // (B, N)
        var klK1 = KlEstimators.SequenceSum(KlEstimators.PerToken(rollout.LogProbs, rollout.RefLogProbs, KlEstimator.K1), mask); // (B)
        var klK3 = KlEstimators.SequenceSum(KlEstimators.PerToken(rollout.LogProbs, rollout.RefLogProbs, KlEstimator.K3), mask); // (B)
        var shaped = RewardShaping.Compute(rollout.Scores, klPenalty, mask, rollout.EndedWithEos, config.ShapingOptions(klCoef, scoreStats.Mean, scoreStats.Std));

        // 5. whiten rewards (optional; scale only, TRL whiten_rewards).
        var rewards = config.WhitenRewards ? MaskedOps.Whiten(shaped.Rewards, mask, shiftMean: false) : shaped.Rewards; // (B, N)

        // 6. advantages and returns: GAE(γ, λ) on V_old, then whitened advantages.
        var gae = Gae.Compute(rewards, rollout.Values, mask, config.Gamma, config.Lambda);
        var advantages = config.WhitenAdvantages ? MaskedOps.Whiten(gae.Advantages, mask) : gae.Advantages;  // (B, N)

        var sequenceKl = KlEstimators.SequenceSum(klPenalty, mask).mean().item<float>();
        var nonScore = shaped.NonScoreRewards.sum(1).mean().item<float>();
        var scores = shaped.Scores.mean().item<float>();
        var metrics = new Dictionary<string, double>
        {
            ["objective/kl"] = klK1.mean().item<float>(),
            ["objective/kl_k3"] = klK3.mean().item<float>(),
            ["objective/entropy"] = MaskedOps.MaskedSum(rollout.Entropy, mask, 1).mean().item<float>(),
            ["objective/scores"] = scores,
            ["objective/raw_scores"] = rollout.Scores.mean().item<float>(),
            ["objective/non_score_reward"] = nonScore,
            ["objective/rlhf_reward"] = scores + nonScore,
            ["objective/kl_coef"] = klCoef,
            ["response/length_mean"] = mask.sum(1).mean().item<float>(),
            ["response/eos_fraction"] = rollout.EndedWithEos.to_type(ScalarType.Float32).mean().item<float>(),
        };

        // 7. PPO epochs over shuffled minibatches.
        foreach (var (key, value) in Optimise(learner, rollout, advantages, gae.Returns, config, generator))
        {
            metrics[key] = value;
        }

        return new PpoIterationResult(metrics, sequenceKl);
    }

    /// <summary>Runs the epochs; returns the update metrics averaged over the minibatch steps taken, and <c>policy/updates</c>.</summary>
    private static Dictionary<string, double> Optimise(PpoLearner learner, Rollout rollout, Tensor advantages, Tensor returns, PpoConfig config, Generator generator)
    {
        var (policy, critic, optimizer, pretrain) = learner;
        var parameters = policy.parameters().Concat(critic.parameters()).ToList();
        var batch = rollout.Count;
        var miniBatch = batch / config.NumMiniBatches;
        var device = policy.Device;
        var sums = new Dictionary<string, double>();
        var updates = 0;
        for (var epoch = 0; epoch < config.PpoEpochs; epoch++)
        {
            using var order = randperm(batch, generator: generator);                                       // CPU
            for (var start = 0; start < batch; start += miniBatch)
            {
                using var scope = NewDisposeScope();
                var rows = order.narrow(0, start, miniBatch).to(device);
                var tokens = rollout.Tokens.index_select(0, rows);                                          // (b, P + N)
                var attention = rollout.AttentionMask.index_select(0, rows);
                var current = RolloutForward.PolicyLogProbs(policy, tokens, attention, rollout.PromptLength, config.Temperature); // (b, N)
                var values = critic.Values(tokens, attention, rollout.PromptLength);                       // (b, N)
                var losses = PpoLosses.Compute(
                    new PpoBatch(
                        current.LogProbs,
                        rollout.LogProbs.index_select(0, rows),
                        advantages.index_select(0, rows),
                        values,
                        rollout.Values.index_select(0, rows),
                        returns.index_select(0, rows),
                        rollout.ResponseMask.index_select(0, rows),
                        current.Entropy),
                    config.ClipRange,
                    config.ClipRangeValue,
                    config.VfCoef);
                if (config.EarlyStopTargetKl is { } targetKl && PpoDiagnostics.ExceedsTargetKl(losses.Metrics["policy/approxkl"], targetKl))
                {
                    return Averages(sums, updates, earlyStopped: true);
                }

                var loss = losses.Loss;
                var stepMetrics = new Dictionary<string, double>(losses.Metrics);
                if (pretrain is not null && config.PtxCoef > 0)
                {
                    // InstructGPT eq. 2: + γ_ptx · E_pretrain[log π(x)], i.e. minimise γ_ptx · LM loss.
                    var (inputs, targets) = pretrain.Batch(config.PtxBatchSize, generator);                // (p, T) each
                    var logits = policy.forward(inputs.to(device));                                         // (p, T, V)
                    var lmLoss = PtxLoss.LmLoss(logits, targets.to(device), ones_like(targets, ScalarType.Float32, device));
                    loss = loss + config.PtxCoef * lmLoss;
                    stepMetrics["loss/ptx"] = lmLoss.item<float>();
                }

                optimizer.zero_grad();
                loss.backward();
                if (config.MaxGradNorm > 0)
                {
                    stepMetrics["policy/grad_norm"] = nn.utils.clip_grad_norm_(parameters, config.MaxGradNorm);
                }

                optimizer.step();
                updates++;
                foreach (var (key, value) in stepMetrics)
                {
                    sums[key] = sums.GetValueOrDefault(key) + value;
                }
            }
        }

        return Averages(sums, updates, earlyStopped: false);
    }

    private static Dictionary<string, double> Averages(Dictionary<string, double> sums, int updates, bool earlyStopped)
    {
        var averages = sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(updates, 1));
        averages["policy/updates"] = updates;
        averages["policy/early_stopped"] = earlyStopped ? 1 : 0;
        return averages;
    }
}

using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>The loss of one minibatch: current log-probs (b, N) with gradient and the rollout rows (b) they belong to.</summary>
public delegate CriticFreeLoss MinibatchLoss(Tensor logProbs, Tensor rows);

/// <summary>
/// The optimisation half of a critic-free iteration: μ = <c>numIterations</c> passes over the rollout, each in
/// <c>numMiniBatches</c> shuffled minibatches, one AdamW step per minibatch on the policy alone (no value model).
/// </summary>
public static class CriticFreeUpdate
{
    /// <param name="generator">CPU generator for the minibatch order (the job's, checkpointed).</param>
    /// <returns>The loss metrics averaged over the steps taken, <c>policy/grad_norm</c> and <c>policy/updates</c>.</returns>
    public static Dictionary<string, double> Optimise(Gpt policy, AdamW optimizer, GroupRollout rollout, CriticFreeConfig config, MinibatchLoss loss, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(loss);
        var parameters = policy.parameters().ToList();
        var miniBatch = rollout.Rows / config.NumMiniBatches;
        var sums = new Dictionary<string, double>();
        var updates = 0;
        for (var pass = 0; pass < config.NumIterations; pass++)
        {
            using var order = randperm(rollout.Rows, generator: generator);                              // CPU
            for (var start = 0; start < rollout.Rows; start += miniBatch)
            {
                using var scope = NewDisposeScope();
                var rows = order.narrow(0, start, miniBatch).to(policy.Device);                            // (b)
                var tokens = rollout.Tokens.index_select(0, rows);                                          // (b, P + N)
                var attention = rollout.AttentionMask.index_select(0, rows);
                var current = RolloutForward.PolicyLogProbs(policy, tokens, attention, rollout.PromptLength, config.Temperature); // (b, N)
                var result = loss(current.LogProbs, rows);
                optimizer.zero_grad();
                result.Loss.backward();
                var stepMetrics = new Dictionary<string, double>(result.Metrics);
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

        var averages = sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(updates, 1));
        averages["policy/updates"] = updates;
        return averages;
    }
}

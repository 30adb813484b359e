using System.Diagnostics;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>PPO throughput after warm-up, the split between rollout and update, and this process's memory over the loop.</summary>
/// <param name="Iterations">Iterations run, warm-up included.</param>
/// <param name="WarmupIterations">Iterations before the first memory sample; not timed.</param>
/// <param name="Seconds">Wall time of the timed iterations.</param>
/// <param name="Tokens">Query + response tokens of the timed iterations (what the verb reports per step).</param>
/// <param name="ResponseTokens">Response tokens (EOS included) of the timed iterations.</param>
/// <param name="RolloutSeconds">Of <paramref name="Seconds"/>: sampling and the scoring forwards.</param>
/// <param name="Memory">Samples from the end of warm-up (first) to the end (last).</param>
/// <param name="LastMetrics">The last iteration's PPO metrics (a sanity check: finite KL, losses).</param>
public sealed record PpoTiming(
    int Iterations,
    int WarmupIterations,
    double Seconds,
    long Tokens,
    long ResponseTokens,
    double RolloutSeconds,
    IReadOnlyList<MemorySample> Memory,
    IReadOnlyDictionary<string, double> LastMetrics)
{
    public int TimedIterations => Iterations - WarmupIterations;

    public double IterationsPerSecond => TimedIterations / Seconds;

    public double TokensPerSecond => Tokens / Seconds;

    public double ResponseTokensPerSecond => ResponseTokens / Seconds;

    public double RolloutSecondsPerIteration => RolloutSeconds / TimedIterations;

    public double UpdateSecondsPerIteration => (Seconds - RolloutSeconds) / TimedIterations;
}

/// <summary>
/// PPO iterations through the trainer's own code path, set up as <c>PpoVerb</c> sets it up: policy and frozen
/// reference with equal weights, a frozen reward model, a critic initialised from a reward model's trunk and head,
/// one AdamW (ε 1e-5, no decay) over policy and critic, prompts drawn by <see cref="EpochOrder"/>. Each iteration
/// is <see cref="RolloutCollector.Collect"/> → <see cref="PpoUpdate.Run"/> → KL-controller update inside one
/// dispose scope, as <c>PpoVerb.Iterate</c> does. Weights are random (seeded), so no response ends early: every
/// rollout runs the full <c>maxNewTokens</c>, the verb's worst case.
/// </summary>
public static class PpoBench
{
    /// <summary>Iterations between memory samples.</summary>
    private const int SampleEvery = 10;

    public static PpoTiming Run(Workload workload, Device device, int seed, TimeSpan budget, IReadOnlyList<string> prompts, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(log);
        var (config, tokenizer) = (workload.Ppo, workload.Tokenizer);
        using var policy = Seeded(seed, () => new Gpt(workload.Model, device));
        using var reference = Frozen.Freeze(Seeded(seed, () => new Gpt(workload.Model, device)));
        using var rewardModel = Frozen.Freeze(Seeded(seed + 1, () => new RewardModel(new Gpt(workload.Model, device), tokenizer)));
        var source = Seeded(seed + 1, () => new RewardModel(new Gpt(workload.Model, device), tokenizer));
        using var critic = PpoCritic.FromRewardModel(source.Trunk, source.Head, config.NormalizeScores ? (rewardModel.Stats.Mean, rewardModel.Stats.Std) : null);
        policy.eval();
        critic.eval();
        using var optimizer = AdamWFactory.Create([policy, critic], config.LearningRate, 0.9, 0.999, weightDecay: 0, eps: 1e-5);
        var learner = new PpoLearner(policy, critic, optimizer, Pretrain: null);
        var controller = config.CreateKlController();
        var order = new EpochOrder(prompts.Count, seed);
        using var generator = new Generator((ulong)seed);

        var warmup = Math.Min(Math.Clamp(config.Iterations / 10, 1, 10), config.Iterations - 1);   // ≥ 1 timed iteration
        var memory = new List<MemorySample>();
        var phase = Stopwatch.StartNew();
        var (seconds, rolloutSeconds, tokens, responseTokens) = (0.0, 0.0, 0L, 0L);
        IReadOnlyDictionary<string, double> metrics = new Dictionary<string, double>();
        var iteration = 0;
        while (iteration < config.Iterations && (iteration <= warmup || phase.Elapsed < budget))
        {
            var batch = order.Take((long)iteration * config.RolloutBatchSize, config.RolloutBatchSize).Select(i => prompts[i]).ToList();
            var step = Iterate(learner, reference, rewardModel, tokenizer, batch, config, controller, generator);
            iteration++;
            metrics = step.Metrics;
            if (iteration > warmup)
            {
                (seconds, rolloutSeconds) = (seconds + step.Seconds, rolloutSeconds + step.RolloutSeconds);
                (tokens, responseTokens) = (tokens + step.Tokens, responseTokens + step.ResponseTokens);
            }

            if (iteration == warmup || (iteration > warmup && (iteration - warmup) % SampleEvery == 0))
            {
                memory.Add(HostProbe.Memory(iteration));
                log.WriteLine($"  ppo {iteration,4}: {step.Seconds:F2} s, VmRSS {memory[^1].VmRssMb:F1} MiB, kl {metrics.GetValueOrDefault("objective/kl"):F4}");
            }
        }

        if (memory[^1].Iteration != iteration)
        {
            memory.Add(HostProbe.Memory(iteration));
        }

        return new PpoTiming(iteration, warmup, seconds, tokens, responseTokens, rolloutSeconds, memory, metrics);
    }

    /// <summary>One PPO iteration (steps 2–8 of the verb); its metrics, tokens and times.</summary>
    private static (Dictionary<string, double> Metrics, long Tokens, long ResponseTokens, double Seconds, double RolloutSeconds) Iterate(
        PpoLearner learner, Gpt reference, RewardModel rewardModel, ITokenizer tokenizer, IReadOnlyList<string> prompts,
        PpoConfig config, IKlController controller, Generator generator)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var seed = randint(0, int.MaxValue, [1], dtype: ScalarType.Int64, generator: generator).item<long>();
        using var sampling = new Generator((ulong)seed, learner.Policy.Device);
        // 2–3. roll out and record log-probs, values and scores.
        var rollout = RolloutCollector.Collect(learner.Policy, reference, learner.Critic, rewardModel, tokenizer, prompts, config, sampling);
        var responseTokens = rollout.ResponseMask.sum().item<float>();                          // waits for the device
        var rolloutSeconds = clock.Elapsed.TotalSeconds;
        // 4–7. rewards, advantages, PPO epochs (their metrics are read back, so the update has finished).
        var result = PpoUpdate.Run(learner, rollout, config, controller.Value, rewardModel.Stats, generator);
        // 8. KL controller.
        controller.Update(result.MeanSequenceKl, rollout.Count);
        var tokens = rollout.AttentionMask.sum().item<long>();
        return (result.Metrics, tokens, (long)responseTokens, clock.Elapsed.TotalSeconds, rolloutSeconds);
    }

    /// <summary>Builds a module right after seeding libtorch, so two calls with one seed give equal weights.</summary>
    private static T Seeded<T>(int seed, Func<T> create)
    {
        random.manual_seed(seed);
        return create();
    }

}

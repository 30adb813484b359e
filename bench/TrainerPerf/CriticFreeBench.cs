using System.Diagnostics;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Training;
using Rlhf.TrainerJob.Verbs;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>Throughput of one critic-free algorithm after warm-up: iterations per second and the rollout/update split.</summary>
public sealed record CriticFreeTiming(string Algorithm, int Iterations, int WarmupIterations, double Seconds, double RolloutSeconds)
{
    public double IterationsPerSecond => (Iterations - WarmupIterations) / Seconds;

    public double RolloutSecondsPerIteration => RolloutSeconds / (Iterations - WarmupIterations);

    public double UpdateSecondsPerIteration => (Seconds - RolloutSeconds) / (Iterations - WarmupIterations);
}

/// <summary>
/// GRPO and RLOO iterations through the verbs' own code (<see cref="GroupRollout.Collect"/>, <see cref="GrpoVerb.Step"/> /
/// <see cref="RlooVerb.Step"/>, <see cref="CriticFreeUpdate.Optimise"/>) at PPO's rollout size: the PPO batch of B episodes
/// becomes B / G prompts × G completions, μ = PPO's epochs and the same minibatches, so the algorithms differ only in
/// what they compute (no critic; GRPO at its default β = 0 loads no reference, RLOO at β 0.05 does). Weights are random
/// (seeded), as in <see cref="PpoBench"/>: every completion runs the full length.
/// </summary>
public static class CriticFreeBench
{
    public static CriticFreeTiming Run(string algorithm, Workload workload, int groupSize, Device device, int seed, int iterations, IReadOnlyList<string> prompts, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(log);
        var ppo = workload.Ppo;
        if (ppo.RolloutBatchSize % groupSize != 0 || ppo.RolloutBatchSize / groupSize % ppo.NumMiniBatches != 0)
        {
            throw new ArgumentException($"PPO's rollout batch {ppo.RolloutBatchSize} must split into groups of {groupSize} and {ppo.NumMiniBatches} minibatches.");
        }

        var promptsPerIteration = ppo.RolloutBatchSize / groupSize;
        CriticFreeConfig config = algorithm == "grpo"
            ? new GrpoConfig { NumGenerations = groupSize }
            : new RlooConfig { NumGenerations = groupSize };
        config = config with
        {
            LearningRate = ppo.LearningRate,
            PromptsPerIteration = promptsPerIteration,
            NumIterations = ppo.PpoEpochs,
            NumMiniBatches = ppo.NumMiniBatches,
            MaxPromptTokens = ppo.MaxPromptTokens,
            MaxNewTokens = ppo.MaxNewTokens,
            Temperature = ppo.Temperature,
            NormalizeScores = ppo.NormalizeScores,
        };
        using var policy = Seeded(seed, () => new Gpt(workload.Model, device));
        using var reference = config.Beta > 0 ? Frozen.Freeze(Seeded(seed, () => new Gpt(workload.Model, device))) : null;
        using var rewardModel = Frozen.Freeze(Seeded(seed + 1, () => new RewardModel(new Gpt(workload.Model, device), workload.Tokenizer)));
        policy.eval();
        using var optimizer = AdamWFactory.Create([policy], config.LearningRate, 0.9, 0.999, weightDecay: 0, eps: 1e-8);
        var rewards = RewardSources.Create(config.Rewards, gold: null, referencesFile: null);
        var order = new EpochOrder(prompts.Count, seed);
        using var generator = new Generator((ulong)seed);
        var warmup = Math.Min(Math.Clamp(iterations / 10, 1, 10), iterations - 1);
        var (seconds, rolloutSeconds) = (0.0, 0.0);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var batch = order.Take((long)iteration * promptsPerIteration, promptsPerIteration).Select(i => prompts[i]).ToList();
            var sampleSeed = randint(0, int.MaxValue, [1], dtype: ScalarType.Int64, generator: generator).item<long>();
            using var sampling = new Generator((ulong)sampleSeed, device);
            var rollout = GroupRollout.Collect(policy, reference, rewardModel, workload.Tokenizer, batch, config, sampling);
            _ = rollout.ResponseMask.sum().item<float>();                                   // waits for the device
            var rolloutTime = clock.Elapsed.TotalSeconds;
            var step = config is GrpoConfig grpo ? GrpoVerb.Step(rollout, rewards, grpo) : RlooVerb.Step(rollout, rewards, (RlooConfig)config);
            var metrics = CriticFreeUpdate.Optimise(policy, optimizer, rollout, config, step.Loss, generator);
            if (iteration >= warmup)
            {
                (seconds, rolloutSeconds) = (seconds + clock.Elapsed.TotalSeconds, rolloutSeconds + rolloutTime);
            }

            if ((iteration + 1) % 10 == 0)
            {
                log.WriteLine($"  {algorithm} {iteration + 1,4}: {clock.Elapsed.TotalSeconds:F2} s, loss {metrics.GetValueOrDefault("loss/policy"):F4}");
            }
        }

        return new CriticFreeTiming(algorithm, iterations, warmup, seconds, rolloutSeconds);
    }

    private static T Seeded<T>(int seed, Func<T> create)
    {
        random.manual_seed(seed);
        return create();
    }

}

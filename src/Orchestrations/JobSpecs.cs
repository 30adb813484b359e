using System.Text.Json.Nodes;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;

namespace Rlhf.Orchestrations;

/// <summary>
/// Pure functions from a run spec to the trainer <see cref="JobSpec"/> of each step (replay-safe: no I/O).
/// Job ids are <c>{runId}-{step}</c>, outputs <c>runs/{runId}/{step}</c>, so a resubmitted job and a
/// replayed orchestration always name the same artifacts. Params objects are deep-copied from the spec.
/// </summary>
public static class JobSpecs
{
    public static JobSpec For(string runId, string store, RunSpec spec, string verb, string step, IReadOnlyDictionary<string, string> inputs, JsonObject parameters)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new JobSpec
        {
            Verb = verb,
            JobId = $"{runId}-{step.Replace('/', '-')}",
            Store = store,
            Output = ArtifactLayout.Step(runId, step),
            Inputs = inputs,
            Params = parameters,
            Seed = spec.Seed,
            Device = spec.Compute.Device,
            Threads = spec.Compute.Threads,
            CheckpointEvery = spec.Compute.CheckpointEvery,
            Runner = spec.Compute.Runner,
            AzureMl = spec.Compute.AzureMlForJobs(),
        };
    }

    public static JobSpec Sft(string runId, string store, RunSpec spec) =>
        For(runId, store, spec, JobVerbs.Sft, StepNames.Sft,
            new Dictionary<string, string> { [JobInputs.Corpus] = spec.Datasets.Corpus ?? throw new InvalidOperationException("datasets.corpus is required to train the base policy.") },
            Copy(spec.BasePolicy.Sft));

    public static JobSpec Sample(CollectSamplesInput input, int shard)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = input.Sampling;
        // one seed for every shard: a prompt's completions depend on (seed, prompt index) only, not on the sharding
        var spec = new RunSpec { Name = input.RunId, Seed = input.Seed, Compute = input.Compute };
        var parameters = new JsonObject
        {
            ["k"] = s.K,
            ["maxNewTokens"] = s.MaxNewTokens,
            ["temperature"] = s.Temperature,
            ["topK"] = s.TopK,
            ["topP"] = s.TopP,
            ["shard"] = shard,
            ["shards"] = s.Shards,
        };
        if (s.PromptLimit > 0)
        {
            parameters["limit"] = s.PromptLimit;
        }

        return For(input.RunId, input.Store, spec, JobVerbs.Sample, StepNames.SampleShard(shard),
            new Dictionary<string, string> { [JobInputs.Policy] = input.Policy, [JobInputs.Prompts] = input.Prompts },
            parameters);
    }

    public static JobSpec Reward(string runId, string store, RunSpec spec, string policy, string preferences) =>
        For(runId, store, spec, JobVerbs.Reward, StepNames.Reward,
            new Dictionary<string, string> { [JobInputs.Policy] = policy, [JobInputs.Preferences] = preferences },
            Copy(spec.RewardModel.Params));

    /// <summary>
    /// The policy-optimisation job of <c>spec.Policy.Algorithm</c>, wired by its row in <see cref="PolicyAlgorithms"/>: the
    /// policy folder (also the frozen reference) and, by the algorithm's signal, the reward model with the train prompts
    /// (online RL; plus the corpus for PPO-ptx and the lexicons for the gold metric) or the preference file (offline).
    /// </summary>
    public static JobSpec Policy(string runId, string store, RunSpec spec, string policy, string rewardModel, string preferences)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var algorithm = PolicyAlgorithms.For(spec.Policy.Algorithm);
        var inputs = new Dictionary<string, string> { [JobInputs.Policy] = policy };
        switch (algorithm.Signal)
        {
            case PolicySignal.RewardModel:
                inputs[JobInputs.RewardModel] = rewardModel;
                inputs[JobInputs.Prompts] = spec.Datasets.TrainPrompts;
                if (algorithm.TakesPretrainCorpus && spec.Datasets.Corpus is { } corpus)
                {
                    inputs[JobInputs.Pretrain] = corpus;
                }

                AddLexicons(inputs, spec);
                if (spec.Datasets.References is { } references)
                {
                    inputs[JobInputs.References] = references;
                }

                // Held-out checks (params.heldoutEvery > 0; ppo, grpo, rloo) sample the held-out prompts' last ones.
                if (algorithm.Params(spec.Policy)["heldoutEvery"] is JsonValue every
                    && every.TryGetValue<int>(out var n) && n > 0)
                {
                    inputs[JobInputs.HeldOut] = spec.Datasets.HeldOutPrompts;
                }

                break;
            case PolicySignal.Preferences:
                inputs[JobInputs.Preferences] = preferences;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), algorithm.Signal, "Unknown policy signal.");
        }

        return For(runId, store, spec, algorithm.Verb, algorithm.Step, inputs, Copy(algorithm.Params(spec.Policy)));
    }

    public static JobSpec Evaluate(string runId, string store, RunSpec spec, string policy, string baseline, string rewardModel)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parameters = new JsonObject
        {
            ["samplesPerPrompt"] = spec.Evaluation.SamplesPerPrompt,
            ["maxNewTokens"] = spec.Sampling.MaxNewTokens,
            ["temperature"] = spec.Sampling.Temperature,
            ["topK"] = spec.Sampling.TopK,
            ["topP"] = spec.Sampling.TopP,
        };
        if (spec.Evaluation.PromptLimit > 0)
        {
            parameters["limit"] = spec.Evaluation.PromptLimit;
        }

        foreach (var (key, value) in spec.Evaluation.Params)
        {
            parameters[key] = value?.DeepClone();
        }

        var inputs = new Dictionary<string, string>
        {
            [JobInputs.Policy] = policy,
            [JobInputs.Reference] = baseline,
            [JobInputs.RewardModel] = rewardModel,
            [JobInputs.Prompts] = spec.Evaluation.Prompts ?? spec.Datasets.HeldOutPrompts,
        };
        AddLexicons(inputs, spec);
        return For(runId, store, spec, JobVerbs.Evaluate, StepNames.Evaluate, inputs, parameters);
    }

    private static void AddLexicons(Dictionary<string, string> inputs, RunSpec spec)
    {
        if (spec.Datasets.Lexicons is { } lexicons)
        {
            inputs[JobInputs.Lexicons] = lexicons;
        }
    }

    private static JsonObject Copy(JsonObject parameters) => (JsonObject)parameters.DeepClone();
}

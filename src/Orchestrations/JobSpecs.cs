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
        };
    }

    public static JobSpec Sft(string runId, string store, RunSpec spec) =>
        For(runId, store, spec, JobVerbs.Sft, "sft",
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

        return For(input.RunId, input.Store, spec, JobVerbs.Sample, $"samples/shard-{shard}",
            new Dictionary<string, string> { [JobInputs.Policy] = input.Policy, [JobInputs.Prompts] = input.Prompts },
            parameters);
    }

    public static JobSpec Reward(string runId, string store, RunSpec spec, string policy, string preferences) =>
        For(runId, store, spec, JobVerbs.Reward, "reward",
            new Dictionary<string, string> { [JobInputs.Policy] = policy, [JobInputs.Preferences] = preferences },
            Copy(spec.RewardModel.Params));

    public static JobSpec Ppo(string runId, string store, RunSpec spec, string policy, string rewardModel)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // the policy folder is also the frozen reference of the KL penalty
        var inputs = new Dictionary<string, string>
        {
            [JobInputs.Policy] = policy,
            [JobInputs.RewardModel] = rewardModel,
            [JobInputs.Prompts] = spec.Datasets.TrainPrompts,
        };
        if (spec.Datasets.Corpus is { } corpus)
        {
            inputs[JobInputs.Pretrain] = corpus;
        }

        AddLexicons(inputs, spec);
        return For(runId, store, spec, JobVerbs.Ppo, "ppo", inputs, Copy(spec.Policy.Ppo));
    }

    public static JobSpec Dpo(string runId, string store, RunSpec spec, string policy, string preferences) =>
        For(runId, store, spec, JobVerbs.Dpo, "dpo",
            new Dictionary<string, string> { [JobInputs.Policy] = policy, [JobInputs.Preferences] = preferences },
            Copy(spec.Policy.Dpo));

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
        return For(runId, store, spec, JobVerbs.Evaluate, "evaluate", inputs, parameters);
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

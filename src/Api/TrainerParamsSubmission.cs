using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations;
using Rlhf.TrainerContracts;

namespace Rlhf.Api;

/// <summary>
/// Checks, at submission, the parameters of every trainer job a run will submit: the job specs are built as the
/// orchestrations build them (<see cref="JobSpecs"/>) and bound with the trainer's own records
/// (<see cref="TrainerParamsCheck"/>): unknown keys at any depth, wrong types, ranges. A problem is reported at the run
/// spec's path (<c>params.learningRate</c> of the ppo job → <c>$.policy.ppo.learningRate</c>). Then the one cross-field
/// limit the trainer would hit late: prompt + new tokens must fit the context of a model trained from scratch.
/// </summary>
public static class TrainerParamsSubmission
{
    private const string Run = "submission-check";
    private const string Store = "submission-check";

    public static IReadOnlyList<ApiError> FindErrors(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<ApiError>();
        foreach (var (job, block) in Jobs(spec))
        {
            foreach (var problem in TrainerParamsCheck.Check(job))
            {
                errors.Add(new ApiError(SpecPath(problem.Field, block, job, spec), problem.Problem));
            }
        }

        if (errors.Count == 0)
        {
            CheckContext(spec, errors);
            CheckRewardInputs(spec, errors);
            CheckEnsemble(spec, errors);
        }

        return errors;
    }

    /// <summary>Each job of the run with the spec block its params come from.</summary>
    private static IEnumerable<(JobSpec Job, string Block)> Jobs(RunSpec spec)
    {
        if (spec.BasePolicy.Source == BasePolicySource.Train && spec.Datasets.Corpus is not null)
        {
            yield return (JobSpecs.Sft(Run, Store, spec), "$.basePolicy.sft");
        }

        if (spec.Constitution.Supervised is not null)
        {
            yield return (SupervisedCai.Sft(Run, Store, spec, "policy", "pairs"), "$.constitution.supervised.sft");
        }

        yield return (JobSpecs.Sample(new CollectSamplesInput(Run, Store, "policy", spec.Datasets.TrainPrompts, spec.Sampling, spec.Compute, spec.Seed), 0), "$.sampling");
        yield return (JobSpecs.Reward(Run, Store, spec, "policy", "preferences"), "$.rewardModel.params");
        // every algorithm's block, not only the chosen one's: a typo in another block is still a typo
        foreach (var algorithm in PolicyAlgorithms.All)
        {
            var withAlgorithm = spec with { Policy = spec.Policy with { Algorithm = algorithm.Algorithm } };
            yield return (JobSpecs.Policy(Run, Store, withAlgorithm, "policy", "reward", "preferences"), $"$.{algorithm.ParamsField}");
        }
        yield return (JobSpecs.Evaluate(Run, Store, spec, "policy", "reference", "reward"), "$.evaluation");
    }

    /// <summary>The run spec path of a job's <c>params.x.y</c>: its block for pass-through blocks, the spec field it was built from otherwise.</summary>
    private static string SpecPath(string field, string block, JobSpec job, RunSpec spec)
    {
        var rest = field.StartsWith("params.", StringComparison.Ordinal) ? field["params.".Length..] : "";
        var first = rest.Split('.')[0];
        return job.Verb switch
        {
            JobVerbs.Sample => first switch
            {
                "limit" => "$.sampling.promptLimit",
                "shard" => "$.sampling.shards",
                "" => block,
                _ => $"$.sampling.{first}",
            },
            JobVerbs.Evaluate when spec.Evaluation.Params.ContainsKey(first) => $"$.evaluation.params.{rest}",
            JobVerbs.Evaluate => first switch
            {
                "samplesPerPrompt" => "$.evaluation.samplesPerPrompt",
                "limit" => "$.evaluation.promptLimit",
                "" => "$.evaluation.params",
                _ => $"$.sampling.{first}",
            },
            _ => rest.Length == 0 ? block : $"{block}.{rest}",
        };
    }

    /// <summary>A reward source the chosen algorithm weighs must have its data set in the spec, or its job would fail after the RM.</summary>
    private static void CheckRewardInputs(RunSpec spec, List<ApiError> errors)
    {
        var row = PolicyAlgorithms.For(spec.Policy.Algorithm);
        IReadOnlyList<RewardSourceConfig> rewards = spec.Policy.Algorithm switch
        {
            PolicyAlgorithm.Ppo => TrainerParams.Read<PpoConfig>(spec.Policy.Ppo).Rewards,
            PolicyAlgorithm.Grpo => TrainerParams.Read<GrpoConfig>(spec.Policy.Grpo).Rewards,
            PolicyAlgorithm.Rloo => TrainerParams.Read<RlooConfig>(spec.Policy.Rloo).Rewards,
            PolicyAlgorithm.Dpo => [],
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Policy.Algorithm, "No reward-source rule for this algorithm."),
        };
        for (var i = 0; i < rewards.Count; i++)
        {
            var (needs, present) = rewards[i].Kind switch
            {
                RewardSourceKind.RougeL => ("datasets.references", spec.Datasets.References is not null),
                RewardSourceKind.Lexicon or RewardSourceKind.Gold => ("datasets.lexicons", spec.Datasets.Lexicons is not null),
                _ => (null, true),
            };
            if (!present)
            {
                errors.Add(new ApiError($"$.{row.ParamsField}.rewards[{i}].kind", $"reward source {rewards[i].Kind} needs {needs}, which the spec does not set."));
            }
        }
    }

    /// <summary>
    /// The uncertainty penalty reads the spread of a reward ensemble, which the run's reward model must have
    /// (<c>rewardModel.params.ensembleSize</c> ≥ 2); held-out checks that keep the best by gold need the lexicons the gold reads.
    /// </summary>
    private static void CheckEnsemble(RunSpec spec, List<ApiError> errors)
    {
        var heads = TrainerParams.Read<RewardConfig>(JobSpecs.Reward(Run, Store, spec, "policy", "preferences").Params).EnsembleSize;
        var row = PolicyAlgorithms.For(spec.Policy.Algorithm);
        HeldoutCheckedConfig? online = spec.Policy.Algorithm switch
        {
            PolicyAlgorithm.Ppo => TrainerParams.Read<PpoConfig>(spec.Policy.Ppo),
            PolicyAlgorithm.Grpo => TrainerParams.Read<GrpoConfig>(spec.Policy.Grpo),
            PolicyAlgorithm.Rloo => TrainerParams.Read<RlooConfig>(spec.Policy.Rloo),
            PolicyAlgorithm.Dpo => null,
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Policy.Algorithm, "No ensemble rule for this algorithm."),
        };
        var penalty = online switch { PpoConfig ppo => ppo.UncertaintyPenalty, CriticFreeConfig criticFree => criticFree.UncertaintyPenalty, _ => 0 };
        if (penalty > 0 && heads < 2)
        {
            errors.Add(new ApiError($"$.{row.ParamsField}.uncertaintyPenalty", $"{penalty} penalises the spread of a reward ensemble, but rewardModel.params.ensembleSize is {heads}: set it to 2 or more."));
        }

        if (online is { HeldoutEvery: > 0, KeepBest: KeepBest.Gold } && spec.Datasets.Lexicons is null)
        {
            errors.Add(new ApiError($"$.{row.ParamsField}.keepBest", "gold needs datasets.lexicons (the gold scorer reads them), which the spec does not set."));
        }
    }

    /// <summary>With a model trained from scratch its context is known now: an online algorithm's prompt + response tokens and the sampler's new tokens must fit it.</summary>
    private static void CheckContext(RunSpec spec, List<ApiError> errors)
    {
        if (spec.BasePolicy.Source != BasePolicySource.Train || spec.Datasets.Corpus is null)
        {
            return;
        }

        var context = JobParams.Bind<SftConfig>(JobSpecs.Sft(Run, Store, spec)).Model?.NPositions ?? new SftModelParams().NPositions;
        const string where = "the model's context (basePolicy.sft.model.n_positions)";
        var (field, prompt, completion) = spec.Policy.Algorithm switch
        {
            PolicyAlgorithm.Ppo => TrainerParams.Read<PpoConfig>(spec.Policy.Ppo) is var c ? ("$.policy.ppo", c.MaxPromptTokens, c.MaxNewTokens) : default,
            PolicyAlgorithm.Grpo => TrainerParams.Read<GrpoConfig>(spec.Policy.Grpo) is var c ? ("$.policy.grpo", c.MaxPromptTokens, c.MaxNewTokens) : default,
            PolicyAlgorithm.Rloo => TrainerParams.Read<RlooConfig>(spec.Policy.Rloo) is var c ? ("$.policy.rloo", c.MaxPromptTokens, c.MaxNewTokens) : default,
            PolicyAlgorithm.Dpo => (null, 0, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Policy.Algorithm, "No context rule for this algorithm."),
        };
        if (field is not null && prompt + completion > context)
        {
            errors.Add(new ApiError($"{field}.maxNewTokens", $"maxPromptTokens ({prompt}) + maxNewTokens ({completion}) = {prompt + completion} exceeds {where}, {context}."));
        }

        if (spec.Sampling.MaxNewTokens >= context)
        {
            errors.Add(new ApiError("$.sampling.maxNewTokens", $"{spec.Sampling.MaxNewTokens} new tokens leave no room for the prompt in {where}, {context}."));
        }
    }
}

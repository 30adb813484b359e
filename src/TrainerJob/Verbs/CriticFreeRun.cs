using System.Text.Json;
using Rlhf.Core.Demo;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>What an algorithm makes of a rollout: the minibatch loss and the iteration's advantage/reward metrics.</summary>
public sealed record CriticFreeStep(MinibatchLoss Loss, Dictionary<string, double> Metrics);

/// <summary>Step 4 of an algorithm: from the rollout and its reward sources to the minibatch loss and metrics.</summary>
public delegate CriticFreeStep CriticFreeAlgorithm(GroupRollout rollout, RewardSources rewards);

/// <summary>
/// The job loop the critic-free verbs share (<see cref="GrpoVerb"/>, <see cref="RlooVerb"/>). Inputs as PPO's:
/// <c>policy</c> (also the frozen reference, loaded only when β &gt; 0 or held-out checks are on), <c>rewardModel</c>, <c>prompts</c>, optional
/// <c>lexicons</c> (adds <c>objective/gold</c>; read by lexicon and gold reward sources) and <c>references</c> (rougeL source). Per iteration: 1. draw prompts, 2–3. G completions each with
/// log-probs and scores (<see cref="GroupRollout"/>), 4. the algorithm's advantages, 5. μ passes of the clipped loss.
/// With <c>params.heldoutEvery</c> &gt; 0, held-out checks on <c>inputs.heldout</c> choose the policy written (<see cref="HeldoutChecks"/>).
/// Checkpoints hold the policy, the optimiser, the prompt cursor and the checks; output <c>{output}/model/</c> (and <c>{output}/heldout.json</c>).
/// </summary>
public static class CriticFreeRun
{
    public const string PolicyInput = JobInputs.Policy;
    public const string RewardModelInput = JobInputs.RewardModel;
    public const string PromptsInput = JobInputs.Prompts;
    public const string LexiconsInput = JobInputs.Lexicons;
    public const string ReferencesInput = JobInputs.References;
    public const string ModelOutput = "model";

    /// <summary>Checks the inputs every critic-free verb needs (no store access).</summary>
    public static void RequireInputs(JobSpec spec, CriticFreeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        JobParams.RejectUnknownInputs(spec, PolicyInput, RewardModelInput, PromptsInput, LexiconsInput, ReferencesInput, HeldoutChecks.Input);
        JobParams.RequireInput(spec, PolicyInput);
        JobParams.RequireInput(spec, RewardModelInput);
        JobParams.RequireInput(spec, PromptsInput);
        HeldoutChecks.RequireInputs(spec, config);
    }

    public static async Task RunAsync<TConfig>(JobContext context, TConfig config, CriticFreeAlgorithm algorithm, CancellationToken cancellationToken)
        where TConfig : CriticFreeConfig
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(algorithm);
        var policyFolder = await context.StageInputAsync(PolicyInput, cancellationToken).ConfigureAwait(false);
        var rewardFolder = await context.StageInputAsync(RewardModelInput, cancellationToken).ConfigureAwait(false);
        var prompts = SampleVerb.ReadPrompts(await context.StageInputAsync(PromptsInput, cancellationToken).ConfigureAwait(false));
        var (policy, tokenizer) = ModelIO.Load(policyFolder, context.Device);
        using var policyScope = policy;
        // The reference: the KL term's (β > 0) and the held-out checks' KL.
        using var reference = config.Beta > 0 || config.HeldoutEvery > 0 ? Frozen.Freeze(ModelIO.Load(policyFolder, context.Device).Model) : null;
        using var rewardModel = Frozen.Freeze(RewardModel.Load(rewardFolder, context.Device));
        Check(config, policy, tokenizer, rewardModel, prompts.Count);
        var gold = context.Spec.Inputs.ContainsKey(LexiconsInput)
            ? GoldScorer.Load(await context.StageInputAsync(LexiconsInput, cancellationToken).ConfigureAwait(false))
            : null;
        var references = context.Spec.Inputs.ContainsKey(ReferencesInput) ? await context.StageInputAsync(ReferencesInput, cancellationToken).ConfigureAwait(false) : null;
        var rewards = RewardSources.Create(config.Rewards, gold, references);
        policy.eval(); // no dropout: rollout and update log-probs agree, as in PPO
        using var optimizer = AdamWFactory.Create([policy], config.LearningRate, 0.9, 0.999, weightDecay: 0, eps: 1e-8);
        context.Checkpoints.Track("policy", policy);
        context.Checkpoints.Track("optimizer", optimizer);
        using var check = await HeldoutChecks.StartAsync(context, config, policyFolder, reference!, rewardModel, gold, tokenizer,
            new SamplingOptions(config.MaxNewTokens, config.Temperature, config.TopK, config.TopP), config.MaxPromptTokens, cancellationToken).ConfigureAwait(false);
        context.TotalSteps = config.Iterations;
        context.Log($"{context.Spec.Verb}: policy {policy.ParameterCount:N0} parameters, no value model, reference {(reference is null ? "not loaded (beta 0)" : "frozen copy of inputs.policy")}, " +
            $"held-out checks {(check is null ? "off" : $"every {config.HeldoutEvery} iterations, keep {config.KeepBest}")}, " +
            $"{prompts.Count} prompts, {config.PromptsPerIteration} x {config.NumGenerations} completions per iteration, device {context.Device}");

        var order = new EpochOrder(prompts.Count, context.Spec.Seed);
        var cursor = 0L;
        var resumed = await context.Checkpoints.ResumeAsync(cancellationToken).ConfigureAwait(false);
        if (resumed is not null)
        {
            cursor = resumed.DataCursor;
            var state = resumed.Extra?.Deserialize<HeldoutCheckpointState>(JsonDefaults.Options);
            check?.Restore(state?.Heldout ?? [], state?.KeptIteration);
            context.Log($"resumed from checkpoint at step {resumed.Step} (prompt cursor {cursor})");
        }
        else if (check is not null)
        {
            await context.StepAsync(0, check.Run(0, policy), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        for (var iteration = (resumed?.Step ?? 0) + 1; iteration <= config.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // 1. the iteration's prompts (epoch-shuffled stream; the cursor is checkpointed).
            var batch = order.Take(cursor, config.PromptsPerIteration).Select(i => prompts[i].Prompt).ToList();
            cursor += config.PromptsPerIteration;
            var (metrics, tokens) = Iterate(context, policy, config.Beta > 0 ? reference : null, rewardModel, tokenizer, optimizer, batch, config, algorithm, rewards, gold);
            if (check is not null && HeldoutChecks.IsDue(config, iteration, config.Iterations))
            {
                foreach (var (key, value) in check.Run(iteration, policy))
                {
                    metrics[key] = value;
                }
            }

            await context.StepAsync(iteration, metrics, tokens, cancellationToken).ConfigureAwait(false);
            if (context.Checkpoints.IsDue(iteration, config.Iterations))
            {
                var extra = check is null ? null : JsonSerializer.SerializeToNode(new HeldoutCheckpointState(check.Points, check.Kept?.Iteration), JsonDefaults.Options);
                await context.Checkpoints.SaveAsync(iteration, cursor, extra, cancellationToken).ConfigureAwait(false);
            }
        }

        if (check is not null)
        {
            await HeldoutChecks.FinishAsync(context, check, config, cancellationToken).ConfigureAwait(false);
        }

        var folder = Path.Combine(context.WorkDir, "out", ModelOutput);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        ModelIO.Save(folder, check?.Best ?? policy, tokenizer);
        await context.WriteOutputFolderAsync(ModelOutput, folder, cancellationToken).ConfigureAwait(false);
    }

    private static (Dictionary<string, double> Metrics, long Tokens) Iterate(
        JobContext context, Gpt policy, Gpt? reference, RewardModel rewardModel, ITokenizer tokenizer, TorchSharp.Modules.AdamW optimizer,
        IReadOnlyList<string> prompts, CriticFreeConfig config, CriticFreeAlgorithm algorithm, RewardSources rewards, GoldScorer? gold)
    {
        using var scope = NewDisposeScope();
        var seed = randint(0, int.MaxValue, [1], dtype: ScalarType.Int64, generator: context.Generator).item<long>();
        using var sampling = new Generator((ulong)seed, policy.Device);
        // 2–3. G completions per prompt, log-probs and scores.
        var rollout = GroupRollout.Collect(policy, reference, rewardModel, tokenizer, prompts, config, sampling);
        // 4. the algorithm's advantages (and its reward metrics).
        var step = algorithm(rollout, rewards);
        var mask = rollout.ResponseMask;
        var metrics = step.Metrics;
        metrics.TryAdd("rewards/rm/mean", rollout.Scores.mean().item<float>());
        metrics["entropy"] = MaskedOps.ToDouble(MaskedOps.MaskedMean(rollout.Entropy, mask));
        metrics["completions/mean_length"] = mask.sum(1).mean().item<float>();
        metrics["completions/clipped_ratio"] = 1 - rollout.EndedWithEos.to_type(ScalarType.Float32).mean().item<float>();
        if (rollout.RefLogProbs is { } refLogProbs)
        {
            metrics["objective/kl"] = KlEstimators.SequenceSum(KlEstimators.PerToken(rollout.OldLogProbs, refLogProbs, KlEstimator.K1), mask).mean().item<float>();
        }

        if (gold is not null)
        {
            metrics["objective/gold"] = rollout.Prompts.Zip(rollout.Completions, (p, c) => gold.Score(p, c).Total).Average();
        }

        // 5. μ passes of the clipped surrogate.
        foreach (var (key, value) in CriticFreeUpdate.Optimise(policy, optimizer, rollout, config, step.Loss, context.Generator))
        {
            metrics[key] = value;
        }

        return (metrics, rollout.AttentionMask.sum().item<long>());
    }

    private static void Check(CriticFreeConfig config, Gpt policy, ITokenizer tokenizer, RewardModel rewardModel, int promptCount)
    {
        JobSpecException.Require(config.MaxNewTokens < policy.Config.NPositions, "params.maxNewTokens",
            $"{config.MaxNewTokens} leaves no room for a prompt in the policy's n_positions {policy.Config.NPositions}");
        JobSpecException.Require(rewardModel.Tokenizer.Name == tokenizer.Name && rewardModel.Tokenizer.VocabSize == tokenizer.VocabSize, "inputs.rewardModel",
            $"uses the {rewardModel.Tokenizer.Name} tokenizer but inputs.policy uses {tokenizer.Name}");
        if (config.UncertaintyPenalty > 0 && rewardModel.EnsembleSize < 2)
        {
            // Deterministic for these inputs: the permanent exit code, as for bad input data.
            throw new InvalidDataException($"params.uncertaintyPenalty {config.UncertaintyPenalty} needs a reward ensemble (reward params.ensembleSize >= 2); inputs.rewardModel has {rewardModel.EnsembleSize} head.");
        }
        if (promptCount == 0)
        {
            throw new InvalidDataException("inputs.prompts has no prompts.");
        }
    }
}

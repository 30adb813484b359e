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

/// <summary>The <c>extra</c> state of a PPO checkpoint: the KL controller and the held-out checks so far (the kept policy is a tracked module).</summary>
public sealed record PpoCheckpointState(KlControllerState KlController, IReadOnlyList<HeldoutPoint>? Heldout = null, long? KeptIteration = null);

/// <summary>
/// <c>ppo</c>: RLHF with PPO (Ziegler et al. 2019; InstructGPT; TRL). Inputs: <c>policy</c> (SFT model folder, also the
/// frozen reference), <c>rewardModel</c> (a <see cref="RewardModel"/> folder; also the critic's initialisation, see
/// <see cref="PpoCritic"/>), <c>prompts</c> (JSONL <c>{"id","prompt"}</c>), optional <c>pretrain</c> (text corpus, for
/// PPO-ptx), <c>lexicons</c> (gold-scorer lexicon folder, adds <c>objective/gold</c>) and <c>heldout</c> (prompts of the
/// held-out check, <see cref="HeldoutCheck"/>; required when <c>params.heldoutEvery</c> &gt; 0). Params: <see cref="PpoConfig"/>.
/// Outputs: <c>{output}/model/</c> (the policy: the kept held-out check's when checks run, else the last),
/// <c>{output}/value/</c> (the critic, head <c>value.safetensors</c>) and, with checks, <c>{output}/heldout.json</c> (<see cref="HeldoutLog"/>).
/// All models run without dropout (eval mode), as TRL disables it, so rollout and update log-probs agree.
/// </summary>
public sealed class PpoVerb : IVerb
{
    public const string PolicyInput = JobInputs.Policy;
    public const string RewardModelInput = JobInputs.RewardModel;
    public const string PromptsInput = JobInputs.Prompts;
    public const string PretrainInput = JobInputs.Pretrain;
    public const string LexiconsInput = JobInputs.Lexicons;
    public const string ReferencesInput = JobInputs.References;
    public const string HeldoutInput = JobInputs.HeldOut;
    public const string ModelOutput = "model";
    public const string ValueOutput = "value";

    /// <summary>AdamW ε (CleanRL / TRL PPO use 1e-5); PPO uses no weight decay.</summary>
    private const double AdamEps = 1e-5;

    public string Name => JobVerbs.Ppo;

    public string Description => "PPO on inputs.prompts against inputs.rewardModel, KL-regularised to inputs.policy -> {output}/model/";

    public VerbRun Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        JobParams.RejectUnknownInputs(spec, PolicyInput, RewardModelInput, PromptsInput, PretrainInput, LexiconsInput, ReferencesInput, HeldoutInput);
        JobParams.RequireInput(spec, PolicyInput);
        JobParams.RequireInput(spec, RewardModelInput);
        JobParams.RequireInput(spec, PromptsInput);
        var config = TrainerParams.Read<PpoConfig>(spec.Params);
        JobSpecException.Require(config.PtxCoef == 0 || JobParams.OptionalInput(spec, PretrainInput) is not null, "inputs.pretrain", "is required when params.ptxCoef > 0");
        HeldoutChecks.RequireInputs(spec, config);
        return (context, cancellationToken) => RunAsync(context, config, cancellationToken);
    }

    private static async Task RunAsync(JobContext context, PpoConfig config, CancellationToken cancellationToken)
    {
        var policyFolder = await context.StageInputAsync(PolicyInput, cancellationToken).ConfigureAwait(false);
        var rewardFolder = await context.StageInputAsync(RewardModelInput, cancellationToken).ConfigureAwait(false);
        var prompts = SampleVerb.ReadPrompts(await context.StageInputAsync(PromptsInput, cancellationToken).ConfigureAwait(false));
        var (policy, tokenizer) = ModelIO.Load(policyFolder, context.Device);
        using var policyScope = policy;
        using var reference = Frozen.Freeze(ModelIO.Load(policyFolder, context.Device).Model);
        using var rewardModel = RewardModel.Load(rewardFolder, context.Device);
        Frozen.Freeze(rewardModel);
        Check(config, policy, tokenizer, rewardModel, prompts.Count);
        using var critic = CriticFrom(RewardModel.Load(rewardFolder, context.Device), config);
        using var pretrain = await PretrainAsync(context, config, tokenizer, policy, cancellationToken).ConfigureAwait(false);
        var gold = context.Spec.Inputs.ContainsKey(LexiconsInput)
            ? GoldScorer.Load(await context.StageInputAsync(LexiconsInput, cancellationToken).ConfigureAwait(false))
            : null;
        var references = context.Spec.Inputs.ContainsKey(ReferencesInput) ? await context.StageInputAsync(ReferencesInput, cancellationToken).ConfigureAwait(false) : null;
        var rewards = RewardSources.Create(config.Rewards, gold, references);
        policy.eval();
        critic.eval();
        using var optimizer = AdamWFactory.Create([policy, critic], config.LearningRate, 0.9, 0.999, weightDecay: 0, eps: AdamEps);
        var learner = new PpoLearner(policy, critic, optimizer, pretrain);
        context.Checkpoints.Track("policy", policy);
        context.Checkpoints.Track("critic", critic);
        context.Checkpoints.Track("optimizer", optimizer);
        context.TotalSteps = config.Iterations;
        context.Log($"policy {policy.ParameterCount:N0} + critic {critic.parameters().Sum(p => p.numel()):N0} parameters, {prompts.Count} prompts, " +
            $"reward stats mean {rewardModel.Stats.Mean:G4} std {rewardModel.Stats.Std:G4}, device {context.Device}");

        using var check = await HeldoutChecks.StartAsync(context, config, policyFolder, reference, rewardModel, gold, tokenizer,
            new SamplingOptions(config.MaxNewTokens, config.Temperature, config.TopK, config.TopP), config.MaxPromptTokens, cancellationToken).ConfigureAwait(false);
        var order = new EpochOrder(prompts.Count, context.Spec.Seed);
        var controller = config.CreateKlController();
        var cursor = 0L;
        var resumed = await context.Checkpoints.ResumeAsync(cancellationToken).ConfigureAwait(false);
        if (resumed is not null)
        {
            cursor = resumed.DataCursor;
            var state = resumed.Extra.Deserialize<PpoCheckpointState>(JsonDefaults.Options)
                ?? throw new InvalidDataException("PPO checkpoint lacks its KL-controller state");
            controller = state.KlController.Restore();
            check?.Restore(state.Heldout ?? [], state.KeptIteration);
            context.Log($"resumed from checkpoint at step {resumed.Step} (prompt cursor {cursor}, kl coef {controller.Value:G4})");
        }
        else if (check is not null)
        {
            await context.StepAsync(0, check.Run(0, policy), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        for (var iteration = (resumed?.Step ?? 0) + 1; iteration <= config.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // 1. draw the batch's prompts (epoch-shuffled stream; the cursor is checkpointed).
            var batch = order.Take(cursor, config.RolloutBatchSize).Select(i => prompts[i].Prompt).ToList();
            cursor += config.RolloutBatchSize;
            var (metrics, tokens) = Iterate(context, learner, reference, rewardModel, tokenizer, batch, config, controller, rewards, gold);
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
                var extra = JsonSerializer.SerializeToNode(new PpoCheckpointState(controller.ToState(), check?.Points, check?.Kept?.Iteration), JsonDefaults.Options);
                await context.Checkpoints.SaveAsync(iteration, cursor, extra, cancellationToken).ConfigureAwait(false);
            }
        }

        if (check is not null)
        {
            await HeldoutChecks.FinishAsync(context, check, config, cancellationToken).ConfigureAwait(false);
        }

        await SaveAsync(context, ModelOutput, folder => ModelIO.Save(folder, check?.Best ?? policy, tokenizer), cancellationToken).ConfigureAwait(false);
        await SaveAsync(context, ValueOutput, folder => critic.Save(folder, tokenizer), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Steps 2–8 of one iteration inside its own dispose scope: metrics and the tokens processed.</summary>
    private static (Dictionary<string, double> Metrics, long Tokens) Iterate(
        JobContext context, PpoLearner learner, Gpt reference, RewardModel rewardModel, ITokenizer tokenizer,
        IReadOnlyList<string> prompts, PpoConfig config, IKlController controller, RewardSources rewards, GoldScorer? gold)
    {
        using var scope = NewDisposeScope();
        // The sampling generator lives on the model's device; its seed comes from the job's (checkpointed) generator.
        var seed = randint(0, int.MaxValue, [1], dtype: ScalarType.Int64, generator: context.Generator).item<long>();
        using var sampling = new Generator((ulong)seed, learner.Policy.Device);
        // 2–3. roll out and record log-probs, values and scores.
        var rollout = RolloutCollector.Collect(learner.Policy, reference, learner.Critic, rewardModel, tokenizer, prompts, config, sampling);
        // 3b. several reward sources: the score becomes Σ_k w_k·r_k, with the RM's column normalised here (so shaping gets identity stats).
        var scoreStats = rewardModel.Stats;
        Dictionary<string, double>? sourceMetrics = null;
        if (!rewards.IsRewardModelOnly)
        {
            var rm = config.NormalizeScores ? (rollout.Scores - scoreStats.Mean) / scoreStats.Std : rollout.Scores;
            var perSource = rewards.Score(rm, rollout.EndedWithEos, rollout.ResponseMask, config.MaxNewTokens, rollout.Prompts, rollout.Responses);
            sourceMetrics = rewards.Metrics(perSource);
            rollout = rollout with { Scores = rewards.Combine(perSource, config.RewardAggregation, groupSize: 1) };
            scoreStats = RewardStats.Identity;
        }

        // 4–7. rewards, advantages, PPO epochs.
        var result = PpoUpdate.Run(learner, rollout, config, controller.Value, scoreStats, context.Generator);
        foreach (var (key, value) in sourceMetrics ?? [])
        {
            result.Metrics[key] = value;
        }
        // 8. KL controller: fed the batch's mean sequence KL and its number of episodes.
        controller.Update(result.MeanSequenceKl, rollout.Count);
        if (gold is not null)
        {
            result.Metrics["objective/gold"] = rollout.Prompts.Zip(rollout.Responses, (p, r) => gold.Score(p, r).Total).Average();
        }

        var tokens = rollout.AttentionMask.sum().item<long>();
        return (result.Metrics, tokens);
    }

    private static PpoCritic CriticFrom(RewardModel source, PpoConfig config) =>
        PpoCritic.FromRewardModel(source.Trunk, source.MeanHead(), config.NormalizeScores ? (source.Stats.Mean, source.Stats.Std) : null);

    private static async Task<SftData?> PretrainAsync(JobContext context, PpoConfig config, ITokenizer tokenizer, Gpt policy, CancellationToken cancellationToken)
    {
        if (config.PtxCoef == 0)
        {
            return null;
        }

        var corpus = await File.ReadAllTextAsync(await context.StageInputAsync(PretrainInput, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var blockSize = Math.Min(policy.Config.NPositions, config.MaxPromptTokens + config.MaxNewTokens);
        return new SftData(corpus, tokenizer, blockSize, heldoutFraction: 0.01);
    }

    private static void Check(PpoConfig config, Gpt policy, ITokenizer tokenizer, RewardModel rewardModel, int promptCount)
    {
        if (config.MaxNewTokens >= policy.Config.NPositions)
        {
            throw new ArgumentException($"params.maxNewTokens {config.MaxNewTokens} leaves no room for a prompt in the policy's n_positions {policy.Config.NPositions}.");
        }

        if (rewardModel.Tokenizer.Name != tokenizer.Name || rewardModel.Tokenizer.VocabSize != tokenizer.VocabSize)
        {
            throw new ArgumentException($"inputs.rewardModel uses the {rewardModel.Tokenizer.Name} tokenizer but inputs.policy uses {tokenizer.Name}.");
        }

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

    private static async Task SaveAsync(JobContext context, string name, Action<string> write, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(context.WorkDir, "out", name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        write(folder);
        await context.WriteOutputFolderAsync(name, folder, cancellationToken).ConfigureAwait(false);
    }
}

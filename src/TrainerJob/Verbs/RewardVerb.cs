using Rlhf.Core.Jobs;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>
/// <c>reward</c>: fits a <see cref="RewardModel"/> initialised from <c>inputs.policy</c> (SFT model folder) on
/// <c>inputs.preferences</c> (JSONL of <c>PreferenceRecord</c>). Each prompt's K-wise ranking is one batch element
/// holding its C(K,2) pairs (InstructGPT); loss <c>−logsigmoid(r_chosen − r_rejected)</c> averaged within each prompt,
/// then over prompts, plus optional centring (<see cref="RewardModelLoss"/>). Held out: <c>inputs.heldout</c> or the
/// prompts whose id hashes below <c>params.validationFraction</c>. AdamW, warmup + cosine, one shuffled order per epoch.
/// Output <c>{output}/model/</c> (a <see cref="RewardModel"/> folder with <c>reward_stats.json</c> over the training
/// completions). Metrics: <c>rm/loss</c>, <c>rm/accuracy</c>, <c>rm/chosen_mean</c>, <c>rm/rejected_mean</c>,
/// <c>rm/margin</c>, <c>rm/lr</c>, <c>rm/grad_norm</c>, <c>rm/heldout_loss</c>, <c>rm/heldout_accuracy</c>.
/// </summary>
public sealed class RewardVerb : IVerb
{
    public const string PolicyInput = JobInputs.Policy;
    public const string PreferencesInput = JobInputs.Preferences;
    public const string HeldoutInput = JobInputs.HeldOut;
    public const string ModelOutput = "model";

    public string Name => JobVerbs.Reward;

    public string Description => "fit a reward model (from inputs.policy) on inputs.preferences -> {output}/model/";

    public VerbRun Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        JobParams.RejectUnknownInputs(spec, PolicyInput, PreferencesInput, HeldoutInput);
        JobParams.RequireInput(spec, PolicyInput);
        JobParams.RequireInput(spec, PreferencesInput);
        var config = TrainerParams.Read<RewardConfig>(spec.Params);
        return (context, cancellationToken) => RunAsync(context, config, cancellationToken);
    }

    private static async Task RunAsync(JobContext context, RewardConfig config, CancellationToken cancellationToken)
    {
        var model = RewardModel.FromPolicy(await context.StageInputAsync(PolicyInput, cancellationToken).ConfigureAwait(false), context.Device, config.Pooling, config.EnsembleSize);
        using var _ = model;
        var all = RewardData.Read(await context.StageInputAsync(PreferencesInput, cancellationToken).ConfigureAwait(false), PreferencesInput);
        var (train, heldout) = context.Spec.Inputs.ContainsKey(HeldoutInput)
            ? (all, RewardData.Read(await context.StageInputAsync(HeldoutInput, cancellationToken).ConfigureAwait(false), HeldoutInput))
            : RewardData.Split(all, config.ValidationFraction);
        if (train.Count == 0)
        {
            throw new InvalidDataException($"No training comparisons left ({all.Count} prompts, validationFraction {config.ValidationFraction}).");
        }

        var maxLength = Math.Min(config.MaxLength, model.MaxLength);
        var stepsPerEpoch = (train.Count + config.BatchSize - 1) / config.BatchSize;
        var totalSteps = (long)config.Epochs * stepsPerEpoch;
        using var optimizer = AdamWFactory.Create([model], config.LearningRate, 0.9, 0.999, config.WeightDecay);
        var schedule = new CosineSchedule(config.LearningRate, config.MinLearningRate, config.WarmupSteps, totalSteps);
        context.Checkpoints.Track(ModelOutput, model);
        context.Checkpoints.Track("optimizer", optimizer);
        context.TotalSteps = totalSteps;
        context.Log($"{model.Trunk.ParameterCount:N0} trunk parameters; {train.Count} prompts / {train.Sum(g => g.PairCount)} pairs to train, "
            + $"{heldout.Count} prompts / {heldout.Sum(g => g.PairCount)} pairs held out; {totalSteps} steps, device {context.Device}");

        var order = new EpochOrder(train.Count, context.Spec.Seed);                                // one permutation per epoch, from (seed, epoch)
        var resumed = await context.Checkpoints.ResumeAsync(cancellationToken).ConfigureAwait(false);
        var start = resumed?.Step ?? 0;
        if (resumed is null && heldout.Count > 0)
        {
            await context.StepAsync(0, Heldout(model, heldout, config, maxLength), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        model.train();
        for (var step = start + 1; step <= totalSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var epoch = (int)((step - 1) / stepsPerEpoch);
            var position = (int)((step - 1) % stepsPerEpoch);
            var groups = order.Permutation(epoch).Skip(position * config.BatchSize).Take(config.BatchSize).Select(i => train[(int)i]).ToList();
            var metrics = TrainStep(model, optimizer, groups, config, maxLength, schedule.At(step), context.Spec.Seed);
            if (heldout.Count > 0 && ((config.EvalEvery > 0 && step % config.EvalEvery == 0) || step == totalSteps))
            {
                foreach (var (key, value) in Heldout(model, heldout, config, maxLength))
                {
                    metrics[key] = value;
                }
            }

            await context.StepAsync(step, metrics, tokens: groups.Sum(g => g.Items.Count), cancellationToken).ConfigureAwait(false);
            if (context.Checkpoints.IsDue(step, totalSteps))
            {
                await context.Checkpoints.SaveAsync(step, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        var completions = train.SelectMany(g => g.Items.Select(item => (g.Prompt, item))).ToList();
        if (model.EnsembleSize > 1)
        {
            var heads = model.ScoreHeadTexts(completions, config.BatchSize, config.AppendEos);
            model.HeadStats = [.. Enumerable.Range(0, model.EnsembleSize).Select(k => Stats([.. heads.Select(row => row[k])]))];
            context.Log($"ensemble of {model.EnsembleSize} heads, each standardised: {string.Join(", ", model.HeadStats.Select((h, k) => $"head {k} mean {h.Mean:F3} std {h.Std:F3}"))}");
        }

        model.Stats = Stats(model.ScoreTexts(completions, config.BatchSize, config.AppendEos));
        context.Log($"reward stats over training completions: mean {model.Stats.Mean:F4}, std {model.Stats.Std:F4} (n={model.Stats.Count})");
        var folder = Path.Combine(context.WorkDir, "out", ModelOutput);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        model.Save(folder);
        await context.WriteOutputFolderAsync(ModelOutput, folder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rewards of every item of <paramref name="groups"/> and the grouped Bradley–Terry loss over their pairs. An ensemble's
    /// metrics are those of its heads' mean raw score; its loss (with <paramref name="seed"/>) weights each head's groups by
    /// that head's bootstrap weights (<see cref="BootstrapWeight"/>).
    /// </summary>
    private static RewardLossResult GroupLoss(RewardModel model, IReadOnlyList<RankedGroup> groups, RewardConfig config, int maxLength, long? seed = null)
    {
        var items = groups.SelectMany(g => g.Items.Select(item => (g.Prompt, item))).ToList();
        var batch = TextBatch.FromText(model.Tokenizer, items, maxLength, config.AppendEos, model.Device);
        var pairs = KWiseRanking.Expand([.. groups.Select(g => (IReadOnlyList<int>)[.. Enumerable.Range(0, g.Items.Count)])], model.Device);
        if (model.EnsembleSize == 1)
        {
            var rewards = model.Score(batch);                                                      // (N) items, group-major
            return RewardModelLoss.Compute(
                rewards.index_select(0, pairs.Chosen),                                             // (P)
                rewards.index_select(0, pairs.Rejected),                                           // (P)
                centerCoef: config.CenterRewardsCoef,
                group: pairs.Group);
        }

        var heads = model.ScoreHeads(batch);                                                       // (N, K)
        var (chosen, rejected) = (heads.index_select(0, pairs.Chosen), heads.index_select(0, pairs.Rejected)); // (P, K)
        var summary = RewardModelLoss.Compute(chosen.mean([1]), rejected.mean([1]), centerCoef: config.CenterRewardsCoef, group: pairs.Group);
        if (seed is null)
        {
            return summary;
        }

        var weights = tensor(groups.SelectMany(g => Enumerable.Range(0, model.EnsembleSize).Select(k => (float)BootstrapWeight(seed.Value, k, g.PromptId))).ToArray(), device: model.Device)
            .view(groups.Count, model.EnsembleSize);                                                // (G, K)
        return summary with { Loss = RewardModelLoss.EnsembleLoss(chosen, rejected, pairs.Group, weights, config.CenterRewardsCoef) };
    }

    /// <summary>
    /// Head <paramref name="head"/>'s Poisson(1) bootstrap weight of a prompt (the online bootstrap: each head sees its own
    /// resample of the prompts, every epoch the same), from SHA-256 of seed, head and prompt id by inversion of the CDF.
    /// </summary>
    public static int BootstrapWeight(long seed, int head, string promptId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{seed}/{head}/{promptId}"));
        var u = (System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11) * (1.0 / (1UL << 53));
        var (k, p) = (0, Math.Exp(-1));
        var cdf = p;
        while (u > cdf && k < 20)
        {
            k++;
            p /= k;
            cdf += p;
        }

        return k;
    }

    private static Dictionary<string, double> TrainStep(RewardModel model, optim.Optimizer optimizer, IReadOnlyList<RankedGroup> groups, RewardConfig config, int maxLength, double lr, long seed)
    {
        using var scope = NewDisposeScope();
        AdamWFactory.SetLearningRate(optimizer, lr);
        var result = GroupLoss(model, groups, config, maxLength, seed);
        optimizer.zero_grad();
        result.Loss.backward();
        var gradNorm = nn.utils.clip_grad_norm_(model.parameters(), config.MaxGradNorm > 0 ? config.MaxGradNorm : double.PositiveInfinity);
        optimizer.step();
        return new Dictionary<string, double>
        {
            ["rm/loss"] = result.Metrics["rm/loss"],
            ["rm/accuracy"] = result.Metrics["rm/accuracy"],
            ["rm/chosen_mean"] = result.Metrics["rm/chosen"],
            ["rm/rejected_mean"] = result.Metrics["rm/rejected"],
            ["rm/margin"] = result.Metrics["rm/margin"],
            ["rm/lr"] = lr,
            ["rm/grad_norm"] = gradNorm,
        };
    }

    /// <summary><c>rm/heldout_loss</c> (mean over prompts) and <c>rm/heldout_accuracy</c> (over pairs), in eval mode.</summary>
    private static Dictionary<string, double> Heldout(RewardModel model, IReadOnlyList<RankedGroup> heldout, RewardConfig config, int maxLength)
    {
        var wasTraining = model.training;
        model.eval();
        var (loss, correct) = (0.0, 0.0);
        for (var start = 0; start < heldout.Count; start += config.BatchSize)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var chunk = heldout.Skip(start).Take(config.BatchSize).ToList();
            var result = GroupLoss(model, chunk, config, maxLength);
            loss += result.Metrics["rm/loss"] * chunk.Count;
            correct += result.Metrics["rm/accuracy"] * chunk.Sum(g => g.PairCount);
        }

        model.train(wasTraining);
        return new Dictionary<string, double>
        {
            ["rm/heldout_loss"] = loss / heldout.Count,
            ["rm/heldout_accuracy"] = correct / heldout.Sum(g => g.PairCount),
        };
    }

    private static RewardStats Stats(double[] scores)
    {
        var mean = scores.Average();
        var std = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / Math.Max(1, scores.Length - 1));
        return new RewardStats(mean, std, scores.Length);
    }
}

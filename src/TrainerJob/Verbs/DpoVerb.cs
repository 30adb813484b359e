using System.Text;
using System.Text.Json;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>
/// <c>dpo</c>: Direct Preference Optimisation (Rafailov et al. 2023) or IPO (Azar et al. 2023) of <c>inputs.policy</c>
/// (the SFT model, also the frozen reference) on <c>inputs.preferences</c> (JSONL <see cref="PreferenceRecord"/>).
/// The reference's sequence log-probs are computed once up front and carried in every checkpoint. Params:
/// <see cref="DpoConfig"/>; AdamW without weight decay, linear warm-up then constant rate (DPO paper).
/// Outputs: <c>{output}/model/</c> and <c>{output}/reference_logps.jsonl</c>. Metrics: <c>loss/preference</c>,
/// <c>rewards/chosen|rejected|accuracies|margins</c>, <c>logps/chosen|rejected</c>, <c>dpo/lr</c>, <c>dpo/grad_norm</c>.
/// </summary>
public sealed class DpoVerb : IVerb
{
    public const string PolicyInput = JobInputs.Policy;
    public const string PreferencesInput = JobInputs.Preferences;
    public const string ModelOutput = "model";
    public const string ReferenceOutput = "reference_logps.jsonl";

    public string Name => JobVerbs.Dpo;

    public string Description => "DPO/IPO of inputs.policy on inputs.preferences (chosen/rejected pairs) -> {output}/model/";

    public VerbRun Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        JobParams.RejectUnknownInputs(spec, PolicyInput, PreferencesInput);
        JobParams.RequireInput(spec, PolicyInput);
        JobParams.RequireInput(spec, PreferencesInput);
        var config = TrainerParams.Read<DpoConfig>(spec.Params);
        return (context, cancellationToken) => RunAsync(context, config, cancellationToken);
    }

    private static async Task RunAsync(JobContext context, DpoConfig config, CancellationToken cancellationToken)
    {
        var policyFolder = await context.StageInputAsync(PolicyInput, cancellationToken).ConfigureAwait(false);
        var records = DpoData.Read(await context.StageInputAsync(PreferencesInput, cancellationToken).ConfigureAwait(false));
        var groups = DpoData.Group(records);
        var (policy, tokenizer) = ModelIO.Load(policyFolder, context.Device);
        using var policyScope = policy;
        policy.eval();                                                                          // no dropout (TRL disable_dropout)
        using var optimizer = AdamWFactory.Create([policy], config.LearningRate, 0.9, 0.999, weightDecay: 0);
        context.Checkpoints.Track("policy", policy);
        context.Checkpoints.Track("optimizer", optimizer);
        var stepsPerEpoch = (groups.Count + config.BatchSize - 1) / config.BatchSize;
        var totalSteps = (long)stepsPerEpoch * config.Epochs;
        context.TotalSteps = totalSteps;

        var resumed = await context.Checkpoints.ResumeAsync(cancellationToken).ConfigureAwait(false);
        DpoReferenceLogProbs reference;
        if (resumed is not null)
        {
            reference = resumed.Extra.Deserialize<DpoReferenceLogProbs>(JsonDefaults.Options)
                ?? throw new InvalidDataException("DPO checkpoint lacks the reference log-probs");
            context.Log($"resumed from checkpoint at step {resumed.Step}");
        }
        else
        {
            using var frozen = ModelIO.Load(policyFolder, context.Device).Model;
            frozen.eval();
            reference = DpoData.Reference(frozen, tokenizer, groups, config);
        }

        context.Log($"{policy.ParameterCount:N0} parameters, {records.Count} pairs over {groups.Count} prompts ({groups.Sum(g => g.Completions.Count)} completions), {totalSteps} steps ({config.LossType}, beta {config.Beta}), device {context.Device}");
        var order = new EpochOrder(groups.Count, context.Spec.Seed);
        for (var step = (resumed?.Step ?? 0) + 1; step <= totalSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (epoch, within) = Math.DivRem(step - 1, stepsPerEpoch);
            var rows = order.Permutation(epoch).Skip((int)within * config.BatchSize).Take(config.BatchSize).Select(i => (int)i).ToList();
            var lr = config.LearningRate * Math.Min(1.0, step / (double)Math.Max(1, config.WarmupSteps));
            var metrics = TrainStep(policy, optimizer, tokenizer, [.. rows.Select(i => groups[i])], [.. rows.Select(i => reference.Completions[i])], config, lr);
            await context.StepAsync(step, metrics, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (context.Checkpoints.IsDue(step, totalSteps))
            {
                await context.Checkpoints.SaveAsync(step, extra: JsonSerializer.SerializeToNode(reference, JsonDefaults.Options), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        var folder = Path.Combine(context.WorkDir, "out", ModelOutput);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        ModelIO.Save(folder, policy, tokenizer);
        await context.WriteOutputFolderAsync(ModelOutput, folder, cancellationToken).ConfigureAwait(false);
        var lines = groups
            .SelectMany((g, k) => g.Pairs.Select(p => (p.Record, Line: new DpoReferenceLine(records[p.Record].Id, reference.Completions[k][p.Chosen], reference.Completions[k][p.Rejected]))))
            .OrderBy(x => x.Record)
            .Select(x => JsonSerializer.Serialize(x.Line, JsonDefaults.Options) + "\n");
        await context.WriteOutputAsync(ReferenceOutput, Encoding.UTF8.GetBytes(string.Concat(lines)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One AdamW update on every pair of <paramref name="batch"/> (reference log-probs per completion in <paramref name="reference"/>); returns the step's metrics.</summary>
    private static Dictionary<string, double> TrainStep(
        Gpt policy, AdamW optimizer, ITokenizer tokenizer, List<DpoGroup> batch, List<double[]> reference, DpoConfig config, double lr)
    {
        using var scope = NewDisposeScope();
        AdamWFactory.SetLearningRate(optimizer, lr);
        var (chosen, rejected) = DpoData.PairLogProbs(policy, tokenizer, batch, config.MaxLength, config.AverageLogProbs); // (P) each
        var pairs = batch.SelectMany((g, k) => g.Pairs.Select(p => (Ref: reference[k], p.Chosen, p.Rejected))).ToList();
        var refChosen = tensor(pairs.Select(p => (float)p.Ref[p.Chosen]).ToArray(), device: policy.Device);               // (P)
        var refRejected = tensor(pairs.Select(p => (float)p.Ref[p.Rejected]).ToArray(), device: policy.Device);           // (P)
        var result = PreferenceLosses.Compute(chosen, rejected, refChosen, refRejected, config.Beta, config.LossType, config.LabelSmoothing);
        optimizer.zero_grad();
        result.Loss.backward();
        var metrics = new Dictionary<string, double>(result.Metrics) { ["dpo/lr"] = lr };
        if (config.MaxGradNorm > 0)
        {
            metrics["dpo/grad_norm"] = nn.utils.clip_grad_norm_(policy.parameters(), config.MaxGradNorm);
        }

        optimizer.step();
        return metrics;
    }
}

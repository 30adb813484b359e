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
        var pairs = DpoData.Read(await context.StageInputAsync(PreferencesInput, cancellationToken).ConfigureAwait(false));
        var (policy, tokenizer) = ModelIO.Load(policyFolder, context.Device);
        using var policyScope = policy;
        policy.eval();                                                                          // no dropout (TRL disable_dropout)
        using var optimizer = AdamWFactory.Create([policy], config.LearningRate, 0.9, 0.999, weightDecay: 0);
        context.Checkpoints.Track("policy", policy);
        context.Checkpoints.Track("optimizer", optimizer);
        var stepsPerEpoch = (pairs.Count + config.BatchSize - 1) / config.BatchSize;
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
            reference = DpoData.Reference(frozen, tokenizer, pairs, config);
        }

        context.Log($"{policy.ParameterCount:N0} parameters, {pairs.Count} pairs, {totalSteps} steps ({config.LossType}, beta {config.Beta}), device {context.Device}");
        var order = new EpochOrder(pairs.Count, context.Spec.Seed);
        for (var step = (resumed?.Step ?? 0) + 1; step <= totalSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (epoch, within) = Math.DivRem(step - 1, stepsPerEpoch);
            var rows = order.Permutation(epoch).Skip((int)within * config.BatchSize).Take(config.BatchSize).Select(i => (int)i).ToList();
            var lr = config.LearningRate * Math.Min(1.0, step / (double)Math.Max(1, config.WarmupSteps));
            var metrics = TrainStep(policy, optimizer, tokenizer, pairs, reference, rows, config, lr);
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
        var lines = pairs.Select((p, i) => JsonSerializer.Serialize(new DpoReferenceLine(p.Id, reference.Chosen[i], reference.Rejected[i]), JsonDefaults.Options) + "\n");
        await context.WriteOutputAsync(ReferenceOutput, Encoding.UTF8.GetBytes(string.Concat(lines)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One AdamW update on the pairs at <paramref name="rows"/>; returns the step's metrics.</summary>
    private static Dictionary<string, double> TrainStep(
        Gpt policy, AdamW optimizer, ITokenizer tokenizer, List<PreferenceRecord> pairs, DpoReferenceLogProbs reference, List<int> rows, DpoConfig config, double lr)
    {
        using var scope = NewDisposeScope();
        AdamWFactory.SetLearningRate(optimizer, lr);
        var batch = rows.Select(i => pairs[i]).ToList();
        var (chosen, rejected) = DpoData.SequenceLogProbs(policy, tokenizer, batch, config.MaxLength, config.AverageLogProbs); // (B) each
        var refChosen = tensor(rows.Select(i => (float)reference.Chosen[i]).ToArray(), device: policy.Device);           // (B)
        var refRejected = tensor(rows.Select(i => (float)reference.Rejected[i]).ToArray(), device: policy.Device);       // (B)
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

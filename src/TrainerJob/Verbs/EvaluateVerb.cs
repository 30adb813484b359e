using System.Text;
using System.Text.Json;
using Rlhf.Core.Contracts;
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

/// <summary>
/// <c>evaluate</c>: N completions per prompt of <c>inputs.prompts</c> from <c>inputs.policy</c> and from <c>inputs.reference</c>
/// (the SFT model), prompt i's from generators with the same seed, KV-cache sampling. Scores every completion with
/// <c>inputs.rewardModel</c> (normalised by its <c>reward_stats.json</c>) and, with <c>inputs.lexicons</c>, the gold scorer.
/// The sequence KL(policy ‖ reference) is measured on the policy's samples from logits / τ (k1 mean and k3).
/// Outputs <c>{output}/evaluation.json</c> (<see cref="EvaluationReport"/>: metrics + reward-hacking alarms) and
/// <c>{output}/samples.jsonl</c> (<see cref="EvaluationSample"/>). Metrics per step are running means over the
/// prompts so far, so the last line (and the manifest) hold the final figures.
/// </summary>
public sealed class EvaluateVerb : IVerb
{
    public const string PolicyInput = JobInputs.Policy;
    public const string ReferenceInput = JobInputs.Reference;
    public const string RewardModelInput = JobInputs.RewardModel;
    public const string PromptsInput = JobInputs.Prompts;
    public const string LexiconsInput = JobInputs.Lexicons;
    public const string ReportOutput = "evaluation.json";
    public const string SamplesOutput = "samples.jsonl";

    public string Name => JobVerbs.Evaluate;

    public string Description => "reward, gold, KL and win rate of inputs.policy vs inputs.reference -> {output}/evaluation.json";

    public VerbRun Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        JobParams.RejectUnknownInputs(spec, PolicyInput, ReferenceInput, RewardModelInput, PromptsInput, LexiconsInput);
        foreach (var input in new[] { PolicyInput, ReferenceInput, RewardModelInput, PromptsInput })
        {
            JobParams.RequireInput(spec, input);
        }

        var config = JobParams.Bind<EvaluateConfig>(spec).Validate();
        return (context, cancellationToken) => RunAsync(context, config, cancellationToken);
    }

    private static async Task RunAsync(JobContext context, EvaluateConfig config, CancellationToken cancellationToken)
    {
        var (policy, tokenizer) = ModelIO.Load(await context.StageInputAsync(PolicyInput, cancellationToken).ConfigureAwait(false), context.Device);
        using var _ = policy;
        var (reference, referenceTokenizer) = ModelIO.Load(await context.StageInputAsync(ReferenceInput, cancellationToken).ConfigureAwait(false), context.Device);
        using var __ = reference;
        using var rewardModel = RewardModel.Load(await context.StageInputAsync(RewardModelInput, cancellationToken).ConfigureAwait(false), context.Device);
        foreach (var (name, other) in new[] { ("reference", referenceTokenizer), ("rewardModel", rewardModel.Tokenizer) })
        {
            JobSpecException.Require(other.Name == tokenizer.Name && other.VocabSize == tokenizer.VocabSize, $"inputs.{name}",
                $"uses tokenizer {other.Name} ({other.VocabSize} ids) but the policy uses {tokenizer.Name} ({tokenizer.VocabSize})");
        }

        var gold = context.Spec.Inputs.ContainsKey(LexiconsInput)
            ? GoldScorer.Load(await context.StageInputAsync(LexiconsInput, cancellationToken).ConfigureAwait(false))
            : null;
        var prompts = SampleVerb.ReadPrompts(await context.StageInputAsync(PromptsInput, cancellationToken).ConfigureAwait(false))
            .Take(config.Limit ?? int.MaxValue).ToList();
        if (prompts.Count == 0)
        {
            throw new InvalidDataException("inputs.prompts holds no prompts.");
        }

        // distinct-n counts the words the gold's fluency model knows (held-out public text): non-words are not vocabulary.
        var isWord = DistinctNGrams.DictionaryOf(gold);
        var seed = config.Seed ?? context.Spec.Seed;
        context.TotalSteps = prompts.Count;
        context.Log($"{prompts.Count} prompts x {config.SamplesPerPrompt} samples from policy and reference; gold {(gold is null ? "off" : "on")}; device {context.Device}");
        policy.eval();
        reference.eval();
        rewardModel.eval();

        var (policySamples, referenceSamples) = (new List<EvaluatedCompletion>(), new List<EvaluatedCompletion>());
        var lines = new List<EvaluationSample>();
        var local = Path.Combine(context.WorkDir, SamplesOutput);
        EvaluationReport? report = null;
        await using (var writer = new StreamWriter(local, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" })
        {
            for (var n = 0; n < prompts.Count; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var prompt = prompts[n];
                var promptSeed = SampleVerb.PromptSeed(seed, n);
                var fromPolicy = Evaluate(policy, reference, rewardModel, gold, tokenizer, prompt.Prompt, config, promptSeed, measureKl: true);
                var fromReference = Evaluate(reference, reference, rewardModel, gold, tokenizer, prompt.Prompt, config, promptSeed, measureKl: false);
                for (var j = 0; j < fromPolicy.Count; j++)
                {
                    var (p, r) = (fromPolicy[j], fromReference[j]);
                    var line = new EvaluationSample(prompt.Id, prompt.Prompt, j, p.Text, r.Text, p.Reward, r.Reward, p.GoldTotal, r.GoldTotal, p.Kl!.Value.K1);
                    await writer.WriteLineAsync(JsonSerializer.Serialize(line, JsonDefaults.Options)).ConfigureAwait(false);
                    lines.Add(line);
                }

                policySamples.AddRange(fromPolicy);
                referenceSamples.AddRange(fromReference);
                report = EvaluateSummary.Build(policySamples, referenceSamples, n + 1, config, isWord);
                await context.StepAsync(n + 1, report.Metrics, fromPolicy.Sum(c => c.Tokens) + fromReference.Sum(c => c.Tokens), cancellationToken).ConfigureAwait(false);
            }
        }

        report = report! with { Samples = EvaluationReport.ShownSamples(lines, seed) };
        foreach (var flag in report.Flags)
        {
            context.Log($"ALARM {flag.Name}: {flag.Message} (threshold {flag.Threshold})");
        }

        await context.WriteOutputAsync(ReportOutput, JsonSerializer.SerializeToUtf8Bytes(report, JsonDefaults.Indented), cancellationToken).ConfigureAwait(false);
        await context.WriteOutputFileAsync(SamplesOutput, local, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// N completions of one prompt from <paramref name="sampler"/>, scored by the reward model and gold; with
    /// <paramref name="measureKl"/> the per-sequence KL of <paramref name="sampler"/> against <paramref name="reference"/>.
    /// </summary>
    private static List<EvaluatedCompletion> Evaluate(
        Gpt sampler, Gpt reference, RewardModel rewardModel, GoldScorer? gold, ITokenizer tokenizer, string prompt, EvaluateConfig config, ulong seed, bool measureKl)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator(seed, sampler.Device);
        var ids = tokenizer.Encode(prompt);
        int[] promptIds = ids.Length > 0 ? ids : [tokenizer.EosId];
        var keep = Math.Min(promptIds.Length, sampler.Config.NPositions - config.MaxNewTokens);      // the sampler keeps the prompt's last tokens
        int[] kept = promptIds[^keep..];
        var generated = Sampler.Generate(sampler, Enumerable.Repeat(kept, config.SamplesPerPrompt).ToList(), config.Sampling, tokenizer.EosId, tokenizer.PadId, generator);
        var width = (int)generated.ResponseTokens.shape[1];
        var flat = generated.ResponseTokens.cpu().data<long>().ToArray();                              // (N, width) row-major
        var responses = Enumerable.Range(0, config.SamplesPerPrompt)
            .Select(row => flat.AsSpan(row * width, generated.ResponseLengths[row]).ToArray().Select(t => (int)t).ToArray())
            .ToList();
        var prompts = Enumerable.Repeat(kept, config.SamplesPerPrompt).ToList();

        // Log-probs of the sampled tokens from logits / τ, as the sampler drew them.
        var tau = config.Temperature > 0 ? config.Temperature : 1.0;
        var batch = TextBatch.FromTokens(prompts, responses, tokenizer.PadId, sampler.Config.NPositions, sampler.Device);
        var logits = sampler.Logits(sampler.Hidden(batch.InputIds, batch.AttentionMask)) / tau;      // (N, T, V)
        var entropy = MaskedOps.MaskedMean(LogProbs.Entropy(logits), batch.ResponseMask, 1);           // (N)
        Tensor? k1 = null, k3 = null;
        if (measureKl)
        {
            var logProbs = LogProbs.OfTargets(logits, batch.Targets);                                  // (N, T)
            var refLogits = reference.Logits(reference.Hidden(batch.InputIds, batch.AttentionMask)) / tau;
            var refLogProbs = LogProbs.OfTargets(refLogits, batch.Targets);                            // (N, T)
            k1 = KlEstimators.SequenceSum(KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K1), batch.ResponseMask); // (N)
            k3 = KlEstimators.SequenceSum(KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K3), batch.ResponseMask); // (N)
        }

        // Scored as PPO's rollout scores them: prompt + response + EOS (RewardModel.SampledBatch).
        var rewards = ToDoubles(rewardModel.ScoreNormalized(rewardModel.SampledBatch(prompts, responses, generated.EndedWithEos))); // (N)
        var entropies = ToDoubles(entropy);
        var (kl1, kl3) = (k1 is null ? null : ToDoubles(k1), k3 is null ? null : ToDoubles(k3));
        var completions = new List<EvaluatedCompletion>(config.SamplesPerPrompt);
        for (var row = 0; row < config.SamplesPerPrompt; row++)
        {
            var eos = generated.EndedWithEos[row];
            var text = tokenizer.Decode(responses[row].AsSpan(0, eos ? responses[row].Length - 1 : responses[row].Length));
            var goldScore = gold?.Score(prompt, text).Components.ToDictionary(c => c.Key, c => c.Value);
            completions.Add(new EvaluatedCompletion(
                text, responses[row].Length, eos, rewards[row], goldScore, kl1 is null ? null : (kl1[row], kl3![row]), entropies[row]));
        }

        return completions;
    }

    private static double[] ToDoubles(Tensor values) => values.to(ScalarType.Float64).cpu().data<double>().ToArray();
}

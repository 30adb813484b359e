using Rlhf.Core.Jobs;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>
/// <c>sft</c>: next-token language-model training on <c>inputs.corpus</c> (text) or <c>inputs.pairs</c> (JSONL of
/// <c>{"prompt","response"}</c>; the loss covers each response and its EOS, never the prompt), from scratch
/// (<c>params.model</c>) or from <c>inputs.policy</c> (a model folder). Output: the model folder <c>{output}/model/</c>.
/// Metrics: <c>sft/loss</c>, <c>sft/lr</c>, <c>sft/grad_norm</c>, <c>sft/heldout_loss</c>.
/// </summary>
public sealed class SftVerb : IVerb
{
    public const string CorpusInput = JobInputs.Corpus;
    public const string PairsInput = JobInputs.Pairs;
    public const string PolicyInput = JobInputs.Policy;
    public const string ModelOutput = "model";

    public string Name => JobVerbs.Sft;

    public string Description => "train a GPT on inputs.corpus or inputs.pairs (from scratch or from inputs.policy) -> {output}/model/";

    public VerbRun Prepare(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        JobParams.RejectUnknownInputs(spec, CorpusInput, PairsInput, PolicyInput);
        var (corpus, pairs) = (JobParams.OptionalInput(spec, CorpusInput), JobParams.OptionalInput(spec, PairsInput));
        JobSpecException.Require((corpus is null) != (pairs is null), "inputs", "needs exactly one of corpus (text) and pairs (prompt/response JSONL)");
        var config = JobParams.Bind<SftConfig>(spec).Validate(hasPolicy: JobParams.OptionalInput(spec, PolicyInput) is not null);
        return (context, cancellationToken) => RunAsync(context, config, cancellationToken);
    }

    private static async Task RunAsync(JobContext context, SftConfig config, CancellationToken cancellationToken)
    {
        var pairs = context.Spec.Inputs.ContainsKey(PairsInput)
            ? SftPairs.Read(await context.StageInputAsync(PairsInput, cancellationToken).ConfigureAwait(false))
            : null;
        var corpus = pairs is null
            ? await File.ReadAllTextAsync(await context.StageInputAsync(CorpusInput, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            : string.Join("\n\n", pairs.Select(p => p.Prompt + p.Response));
        var (model, tokenizer) = await LoadOrCreateAsync(context, config, corpus, cancellationToken).ConfigureAwait(false);
        using var _ = model;
        if (config.BlockSize > model.Config.NPositions)
        {
            throw new ArgumentException($"params.blockSize {config.BlockSize} exceeds the policy's n_positions {model.Config.NPositions}.");
        }

        using var data = pairs is null
            ? new SftData(corpus, tokenizer, config.BlockSize, config.HeldoutFraction, config.DocumentSplit)
            : SftData.FromPairs(pairs, tokenizer, config.BlockSize, config.HeldoutFraction);
        using var optimizer = AdamWFactory.Create([model], config.LearningRate, config.Beta1, config.Beta2, config.WeightDecay);
        var schedule = new CosineSchedule(config.LearningRate, config.MinLr, config.WarmupSteps, config.Steps);
        context.Checkpoints.Track(ModelOutput, model);
        context.Checkpoints.Track("optimizer", optimizer);
        context.TotalSteps = config.Steps;
        context.Log($"{model.ParameterCount:N0} parameters, {tokenizer.Name} tokenizer, corpus {data.TokenCount:N0} tokens ({data.HeldoutTokens:N0} held out{(pairs is null ? "" : $"; {pairs.Count:N0} prompt/response pairs, {data.TrainedTokenCount:N0} response tokens trained on")}), device {context.Device}");

        var resumed = await context.Checkpoints.ResumeAsync(cancellationToken).ConfigureAwait(false);
        var start = resumed?.Step ?? 0;
        if (resumed is null)
        {
            await context.StepAsync(0, new Dictionary<string, double> { ["sft/heldout_loss"] = HeldoutLoss(model, data, config) }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            context.Log($"resumed from checkpoint at step {start}");
        }

        model.train();
        for (var step = start + 1; step <= config.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var metrics = TrainStep(model, optimizer, data, config, schedule.At(step), context);
            if ((config.EvalEvery > 0 && step % config.EvalEvery == 0) || step == config.Steps)
            {
                metrics["sft/heldout_loss"] = HeldoutLoss(model, data, config);
            }

            await context.StepAsync(step, metrics, tokens: (long)config.BatchSize * config.BlockSize, cancellationToken).ConfigureAwait(false);
            if (context.Checkpoints.IsDue(step, config.Steps))
            {
                await context.Checkpoints.SaveAsync(step, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        var folder = Path.Combine(context.WorkDir, "out", ModelOutput);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        ModelIO.Save(folder, model, tokenizer);
        await context.WriteOutputFolderAsync(ModelOutput, folder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One AdamW update on a random batch; returns the step's metrics.</summary>
    private static Dictionary<string, double> TrainStep(Gpt model, optim.Optimizer optimizer, SftData data, SftConfig config, double lr, JobContext context)
    {
        using var scope = NewDisposeScope();
        AdamWFactory.SetLearningRate(optimizer, lr);
        var (inputs, targets) = data.Batch(config.BatchSize, context.Generator);               // (B, T) each, CPU
        var loss = CrossEntropy(model, inputs.to(context.Device), targets.to(context.Device));
        optimizer.zero_grad();
        loss.backward();
        var gradNorm = nn.utils.clip_grad_norm_(model.parameters(), config.GradClip);
        optimizer.step();
        return new Dictionary<string, double>
        {
            ["sft/loss"] = loss.item<float>(),
            ["sft/lr"] = lr,
            ["sft/grad_norm"] = gradNorm,
        };
    }

    /// <summary>Mean next-token cross-entropy over the fixed held-out windows.</summary>
    private static double HeldoutLoss(Gpt model, SftData data, SftConfig config)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var wasTraining = model.training;
        model.eval();
        var (inputs, targets) = data.Heldout(config.EvalWindows);                              // (W, T) each
        var total = 0.0;
        for (var i = 0L; i < inputs.shape[0]; i += config.BatchSize)
        {
            var n = Math.Min(config.BatchSize, inputs.shape[0] - i);
            var device = model.Device;
            total += CrossEntropy(model, inputs.narrow(0, i, n).to(device), targets.narrow(0, i, n).to(device)).item<float>() * n;
        }

        model.train(wasTraining);
        return total / inputs.shape[0];
    }

    /// <summary>Mean cross-entropy over the trained targets (<see cref="SftData.IgnoredTarget"/> skipped); 0 when a window holds none.</summary>
    private static Tensor CrossEntropy(Gpt model, Tensor inputs, Tensor targets)
    {
        var logits = model.forward(inputs);                                                     // (B, T, V)
        var flat = targets.reshape(-1);
        var sum = nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), flat, ignore_index: SftData.IgnoredTarget, reduction: nn.Reduction.Sum);
        return sum / flat.ne(SftData.IgnoredTarget).sum().clamp_min(1);
    }

    private static async Task<(Gpt Model, ITokenizer Tokenizer)> LoadOrCreateAsync(JobContext context, SftConfig config, string corpus, CancellationToken cancellationToken)
    {
        if (context.Spec.Inputs.ContainsKey(PolicyInput))
        {
            var folder = await context.StageInputAsync(PolicyInput, cancellationToken).ConfigureAwait(false);
            var loaded = ModelIO.Load(folder, context.Device);
            return (loaded.Model, loaded.Tokenizer);
        }

        var shape = config.Model ?? new SftModelParams();
        var tokenizer = TokenizerFactory.ForCorpus(shape.Tokenizer, corpus, shape.VocabWords);
        var gptConfig = new GptConfig(tokenizer.VocabSize, shape.NPositions, shape.NEmbd, shape.NLayer, shape.NHead, Dropout: shape.Dropout);
        return (new Gpt(gptConfig, context.Device), tokenizer);
    }
}

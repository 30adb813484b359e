using System.Diagnostics;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Verbs;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>Timed SFT steps: tokens per step, mean and best step time, and the last loss (a sanity check that it learns).</summary>
public sealed record SftTiming(int Steps, long TokensPerStep, double MeanStepSeconds, double BestStepSeconds, double FirstLoss, double LastLoss)
{
    public double TokensPerSecond => TokensPerStep / MeanStepSeconds;

    public double BestTokensPerSecond => TokensPerStep / BestStepSeconds;
}

/// <summary>
/// A full SFT training step as the <c>sft</c> verb runs it: random corpus windows, forward, next-token
/// cross-entropy, backward, global grad-norm clip, AdamW (the verb's defaults: β = (0.9, 0.95), weight decay 0.1
/// on matrices). The loss is read back every step, so each timed step has finished.
/// </summary>
public static class SftBench
{
    private const int WarmupSteps = 2;

    public static SftTiming Run(Gpt model, SftData data, int batchSize, double learningRate, int steps, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var defaults = new SftConfig();
        using var optimizer = AdamWFactory.Create([model], learningRate, defaults.Beta1, defaults.Beta2, defaults.WeightDecay);
        model.train();
        var firstLoss = 0.0;
        for (var i = 0; i < WarmupSteps; i++)
        {
            firstLoss = Step(model, optimizer, data, batchSize, defaults.GradClip, generator);
        }

        var total = 0.0;
        var best = double.MaxValue;
        var lastLoss = firstLoss;
        for (var i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            lastLoss = Step(model, optimizer, data, batchSize, defaults.GradClip, generator);
            var seconds = clock.Elapsed.TotalSeconds;
            total += seconds;
            best = Math.Min(best, seconds);
        }

        return new SftTiming(steps, (long)batchSize * data.BlockSize, total / steps, best, firstLoss, lastLoss);
    }

    private static double Step(Gpt model, optim.Optimizer optimizer, SftData data, int batchSize, double gradClip, Generator generator)
    {
        using var scope = NewDisposeScope();
        var device = model.Device;
        var (inputs, targets) = data.Batch(batchSize, generator);                              // (B, T) each, CPU
        var logits = model.forward(inputs.to(device));                                          // (B, T, V)
        var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), targets.to(device).reshape(-1));
        optimizer.zero_grad();
        loss.backward();
        nn.utils.clip_grad_norm_(model.parameters(), gradClip);
        optimizer.step();
        return loss.item<float>();
    }
}

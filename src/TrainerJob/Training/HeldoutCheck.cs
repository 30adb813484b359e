using Rlhf.Core.Demo;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>
/// One held-out check: mean sequence KL (k1) to the reference, normalised reward-model score and gold of the samples, and
/// the lower of their distinct-1 and distinct-2 as a fraction of the reference's samples' (<see cref="DistinctNGrams"/>; 1 = as varied).
/// </summary>
public sealed record HeldoutPoint(long Iteration, double Kl, double Reward, double? Gold, double? DistinctRatio = null);

/// <summary>The checks of a run and the one whose policy was kept (<c>{output}/heldout.json</c>).</summary>
public sealed record HeldoutLog(string KeepBest, double? MaxKl, IReadOnlyList<HeldoutPoint> Points, long? KeptIteration, double? MinDistinctRatio = null)
{
    public const string FileName = "heldout.json";
}

/// <summary>
/// The online verbs' held-out check (issue 14: keep the best checkpoint instead of the last): every check samples
/// <c>samplesPerPrompt</c> completions of each held-out prompt with the same generator seed, so two checks differ only by
/// the policy, and measures KL to the reference, the reward model's normalised score, the vocabulary against the
/// reference's samples and, with a gold scorer, the gold. The policy of the best check by the chosen measure (<see cref="KeepBest"/>), among checks within the KL budget
/// and above the distinct-n floor, is copied into <see cref="Best"/>; the reference itself (check 0) is a candidate, so a
/// run that never beats it keeps it.
/// </summary>
public sealed class HeldoutCheck(
    Gpt best, Gpt reference, RewardModel rewardModel, GoldScorer? gold, ITokenizer tokenizer, IReadOnlyList<string> prompts,
    SamplingOptions sampling, int maxPromptTokens, KeepBest keepBest, double? maxKl, double? minDistinctRatio, int samplesPerPrompt, ulong seed) : IDisposable
{
    private readonly List<HeldoutPoint> _points = [];
    private readonly Func<string, bool>? _isWord = DistinctNGrams.DictionaryOf(gold);
    private List<string>? _referenceTexts;

    /// <summary>A frozen model holding the kept check's parameters (owned: disposed with the check).</summary>
    public Gpt Best { get; } = best;

    public IReadOnlyList<HeldoutPoint> Points => _points;

    /// <summary>The kept check; null before the first.</summary>
    public HeldoutPoint? Kept { get; private set; }

    /// <summary>Restores the log of an interrupted run (the best model itself comes back with the checkpoint).</summary>
    public void Restore(IReadOnlyList<HeldoutPoint> points, long? keptIteration)
    {
        _points.Clear();
        _points.AddRange(points);
        Kept = points.FirstOrDefault(p => p.Iteration == keptIteration);
    }

    /// <summary>Runs the check on <paramref name="policy"/> and keeps it when it is the best so far; the metrics to log.</summary>
    public Dictionary<string, double> Run(long iteration, Gpt policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var point = Measure(iteration, policy);
        _points.Add(point);
        if (IsBetter(point, Kept, keepBest, maxKl, minDistinctRatio))
        {
            Kept = point;
            CopyParameters(policy, Best);
        }

        var metrics = new Dictionary<string, double>
        {
            ["heldout/kl"] = point.Kl, ["heldout/reward"] = point.Reward, ["heldout/distinct_ratio"] = point.DistinctRatio!.Value, ["heldout/kept_iteration"] = Kept?.Iteration ?? -1,
        };
        if (point.Gold is { } g)
        {
            metrics["heldout/gold"] = g;
        }

        return metrics;
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> replaces <paramref name="kept"/>: <c>last</c> always; otherwise a check over the KL
    /// budget or under the distinct-n floor never does (unless nothing is kept yet), and a higher score (reward or gold) does.
    /// </summary>
    public static bool IsBetter(HeldoutPoint candidate, HeldoutPoint? kept, KeepBest keepBest, double? maxKl, double? minDistinctRatio = null)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (kept is null || keepBest == KeepBest.Last)
        {
            return true;
        }

        if (maxKl is { } budget && candidate.Kl > budget)
        {
            return false;
        }

        if (minDistinctRatio is { } floor && candidate.DistinctRatio < floor)
        {
            return false;
        }

        return keepBest == KeepBest.Gold ? candidate.Gold > kept.Gold : candidate.Reward > kept.Reward;
    }

    private HeldoutPoint Measure(long iteration, Gpt policy)
    {
        // The reference's samples on the same prompts and seed, once: check 0's when the run starts, drawn again after a resume.
        _referenceTexts ??= Sample(reference).Texts;
        var (texts, kl, reward) = Sample(policy);
        var distinct = new[] { 1, 2 }.Min(n => DistinctNGrams.Compare(texts, _referenceTexts, n, _isWord) is var (p, r) && r > 0 ? p / r : 1.0);
        double? goldMean = gold is null ? null : texts.Select((text, i) => gold.Score(prompts[i / samplesPerPrompt], text).Total).Average();
        return new HeldoutPoint(iteration, kl, reward, goldMean, distinct);
    }

    /// <summary>The check's completions (samplesPerPrompt per prompt, a prompt's side by side) from <paramref name="model"/> with the check's seed: the texts (EOS dropped), mean KL to the reference and RM score.</summary>
    private (List<string> Texts, double Kl, double Reward) Sample(Gpt model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator(seed, model.Device);
        var queries = prompts.SelectMany(p => Enumerable.Repeat(RolloutCollector.Query(tokenizer, p, maxPromptTokens), samplesPerPrompt)).ToList();
        var generated = Sampler.Generate(model, queries, sampling, tokenizer.EosId, tokenizer.PadId, generator);
        var logProbs = RolloutForward.PolicyLogProbs(model, generated.Tokens, generated.AttentionMask, generated.PromptLength, sampling.Temperature).LogProbs;
        var refLogProbs = RolloutForward.PolicyLogProbs(reference, generated.Tokens, generated.AttentionMask, generated.PromptLength, sampling.Temperature).LogProbs;
        var mask = generated.ResponseMask.to_type(ScalarType.Float32);
        var kl = KlEstimators.SequenceSum(KlEstimators.PerToken(logProbs, refLogProbs, KlEstimator.K1), mask).mean().item<float>();
        var ids = RolloutCollector.ResponseIds(generated);
        var reward = rewardModel.ScoreNormalized(rewardModel.SampledBatch(queries, ids, generated.EndedWithEos)).mean().item<float>();
        var texts = ids.Select((row, i) => tokenizer.Decode(generated.EndedWithEos[i] ? row.AsSpan(0, row.Length - 1) : row)).ToList();
        return (texts, kl, reward);
    }

    public void Dispose() => Best.Dispose();

    private static void CopyParameters(Gpt from, Gpt to)
    {
        using var noGrad = no_grad();
        foreach (var ((_, source), (_, target)) in from.named_parameters().Zip(to.named_parameters()))
        {
            target.copy_(source);
        }
    }
}

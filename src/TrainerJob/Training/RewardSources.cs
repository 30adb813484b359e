using System.Text.Json.Nodes;
using Rlhf.Core.Demo;
using Rlhf.Core.Labeling;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>
/// The weighted reward sources of an RL verb (PPO, GRPO, RLOO): each completion gets one reward per source,
/// (R, K), which the algorithm aggregates (<see cref="RewardAggregation"/>). The reward model's column is the score the
/// verb already computed; rule-based sources are computed here from the text and the rollout's EOS/length.
/// </summary>
public sealed class RewardSources
{
    private readonly IReadOnlyList<RewardSourceConfig> _sources;
    private readonly GoldScorer? _gold;
    private readonly IReadOnlyDictionary<string, string>? _references;

    private RewardSources(IReadOnlyList<RewardSourceConfig> sources, GoldScorer? gold, IReadOnlyDictionary<string, string>? references)
    {
        _sources = sources;
        _gold = gold;
        _references = references;
    }

    public IReadOnlyList<string> Names => [.. _sources.Select(s => s.Name)];

    public IReadOnlyList<double> Weights => [.. _sources.Select(s => s.Weight)];

    /// <summary>True for the default (the reward model alone, weight 1): the verb's reward is then unchanged.</summary>
    public bool IsRewardModelOnly => _sources is [{ Kind: RewardSourceKind.RewardModel, Weight: 1.0 }];

    /// <summary>
    /// Binds the configured sources to what they read. <paramref name="gold"/> (from input <c>lexicons</c>) is required by
    /// <c>lexicon</c> and <c>gold</c> sources, <paramref name="referencesFile"/> (input <c>references</c>) by <c>rougeL</c>.
    /// </summary>
    /// <exception cref="JobSpecException">A source whose input is missing, or an unknown gold component.</exception>
    public static RewardSources Create(IReadOnlyList<RewardSourceConfig>? sources, GoldScorer? gold, string? referencesFile)
    {
        var list = sources is { Count: > 0 } ? sources : RewardSourceConfig.RewardModelOnly;
        for (var i = 0; i < list.Count; i++)
        {
            var source = list[i];
            JobSpecException.Require(source.Kind is not (RewardSourceKind.Lexicon or RewardSourceKind.Gold) || gold is not null,
                "inputs.lexicons", $"is required by params.rewards[{i}] (kind {source.Kind})");
            JobSpecException.Require(source.Kind != RewardSourceKind.RougeL || referencesFile is not null,
                "inputs.references", $"is required by params.rewards[{i}] (kind rougeL)");
            if (source.Kind == RewardSourceKind.Gold)
            {
                var known = GoldComponents(new GoldScore(0, 0, 0, 0, 0, 0, 0)).Keys.ToList();
                JobSpecException.Require(known.Contains(source.Component!), $"params.rewards[{i}].component", $"'{source.Component}' is not a gold component (known: {string.Join(", ", known)})");
            }
        }

        return new RewardSources(list, gold, referencesFile is null ? null : ReadReferences(referencesFile));
    }

    /// <summary>
    /// Every source's reward of every completion: (R, K) float32 on the device of <paramref name="rmScores"/>.
    /// </summary>
    /// <param name="rmScores">(R) the reward model's (processed) scores.</param>
    /// <param name="endedWithEos">(R) bool.</param>
    /// <param name="responseMask">(R, N) response tokens up to and including EOS.</param>
    public Tensor Score(Tensor rmScores, Tensor endedWithEos, Tensor responseMask, int maxNewTokens, IReadOnlyList<string> prompts, IReadOnlyList<string> completions)
    {
        ArgumentNullException.ThrowIfNull(rmScores);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(completions);
        var device = rmScores.device;
        var columns = _sources.Select(source => source.Kind switch
        {
            RewardSourceKind.RewardModel => rmScores.to_type(ScalarType.Float32),
            RewardSourceKind.EosBonus => endedWithEos.to_type(ScalarType.Float32),
            RewardSourceKind.LengthPenalty => -responseMask.to_type(ScalarType.Float32).sum(1) / maxNewTokens,
            RewardSourceKind.RougeL => Text(device, prompts, completions, (p, c) => RougeL.F1(c, _references!.GetValueOrDefault(p, ""))),
            RewardSourceKind.Lexicon => Text(device, prompts, completions, (_, c) => LexiconScore(source.Lexicon!.Value, c)),
            RewardSourceKind.Gold => Text(device, prompts, completions, (p, c) => GoldComponents(_gold!.Score(p, c))[source.Component!]),
            _ => throw new ArgumentOutOfRangeException(nameof(source), source.Kind, "Unknown reward source."),
        }).ToArray();
        return stack(columns, 1);                                                                                  // (R, K)
    }

    /// <summary>Σ_k w_k·r_k (sumThenNormalize), or Σ_k w_k·z_k with each source standardised within its group of <paramref name="groupSize"/> rows (normalizeThenSum; 1 = the whole batch is one group).</summary>
    public Tensor Combine(Tensor perSource, RewardAggregation aggregation, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(perSource);
        var w = tensor(Weights.ToArray(), dtype: perSource.dtype, device: perSource.device);                    // (K)
        if (aggregation == RewardAggregation.SumThenNormalize)
        {
            return (perSource * w).sum(1);
        }

        var (rows, k) = (perSource.shape[0], perSource.shape[1]);
        var groups = groupSize <= 1 ? perSource.unsqueeze(0) : perSource.reshape(rows / groupSize, groupSize, k);   // (P, G, K)
        var z = (groups - groups.mean([1L], keepdim: true)) / (groups.std(1, keepdim: true) + GroupAdvantages.StdEpsilon);
        return (z.reshape(rows, k) * w).sum(1);
    }

    /// <summary><c>rewards/{name}/mean</c> and <c>/std</c> of every source: what each contributed, before weighting.</summary>
    public Dictionary<string, double> Metrics(Tensor perSource)
    {
        ArgumentNullException.ThrowIfNull(perSource);
        var metrics = new Dictionary<string, double>();
        for (var k = 0; k < _sources.Count; k++)
        {
            var column = perSource.select(1, k);
            metrics[$"rewards/{_sources[k].Name}/mean"] = column.mean().item<float>();
            metrics[$"rewards/{_sources[k].Name}/std"] = column.numel() > 1 ? column.std().item<float>() : 0;
        }

        return metrics;
    }

    private double LexiconScore(LexiconTerm term, string completion)
    {
        var lexicons = _gold!.Lexicons;
        var words = WordTokenizer.Words(TextNormalizer.NormalizeInline(completion));
        if (words.Count == 0)
        {
            return 0;
        }

        return term switch
        {
            LexiconTerm.Afinn => words.Average(w => lexicons.Afinn.TryGetValue(w, out var v) ? v / 5.0 : 0.0),
            LexiconTerm.EasyWords => words.Count(lexicons.EasyWords.Contains) / (double)words.Count,
            LexiconTerm.LiuNegative => -words.Count(lexicons.LiuNegative.Contains) / (double)words.Count,
            _ => throw new ArgumentOutOfRangeException(nameof(term), term, "Unknown lexicon term."),
        };
    }

    /// <summary>The gold score's components by short name (<c>sentiment</c>, ..., <c>total</c>).</summary>
    private static Dictionary<string, double> GoldComponents(GoldScore score) =>
        score.Components.ToDictionary(c => c.Key.StartsWith("gold/", StringComparison.Ordinal) ? c.Key["gold/".Length..] : c.Key, c => c.Value);

    private static Tensor Text(Device device, IReadOnlyList<string> prompts, IReadOnlyList<string> completions, Func<string, string, double> score) =>
        tensor(prompts.Zip(completions, (p, c) => (float)score(p, c)).ToArray(), device: device);

    /// <summary>Prompt → reference, from JSONL lines with <c>prompt</c> and <c>reference</c> (data/*/references.jsonl).</summary>
    private static Dictionary<string, string> ReadReferences(string file)
    {
        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var node = JsonNode.Parse(line) as JsonObject
                ?? throw new InvalidDataException($"inputs.references line {number}: expected a JSON object");
            var prompt = node["prompt"]?.GetValue<string>() ?? throw new InvalidDataException($"inputs.references line {number}: 'prompt' is missing");
            references[prompt] = node["reference"]?.GetValue<string>() ?? throw new InvalidDataException($"inputs.references line {number}: 'reference' is missing");
        }

        return references;
    }
}

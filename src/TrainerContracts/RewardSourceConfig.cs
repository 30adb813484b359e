using System.Text.Json.Serialization;

namespace Rlhf.TrainerContracts;

/// <summary>Where one weighted reward comes from (<see cref="RewardSourceConfig"/>).</summary>
public enum RewardSourceKind
{
    /// <summary>The reward model's score (normalised when the verb's <c>normalizeScores</c> is on, missing-EOS penalty applied).</summary>
    RewardModel,

    /// <summary>1 when the completion ends with EOS, else 0 (a format reward; TRL users write it as a reward function).</summary>
    EosBonus,

    /// <summary>−(completion tokens / maxNewTokens): longer answers cost more, linearly.</summary>
    LengthPenalty,

    /// <summary>ROUGE-L F1 of the completion against the prompt's reference (input <c>references</c>: JSONL with prompt and reference).</summary>
    RougeL,

    /// <summary>A lexicon term of the completion's words (input <c>lexicons</c>), named by <see cref="RewardSourceConfig.Lexicon"/>.</summary>
    Lexicon,

    /// <summary>For experiments where the truth is known: a component of the demo's gold score (input <c>lexicons</c>).</summary>
    Gold,
}

/// <summary>A lexicon term of <see cref="RewardSourceKind.Lexicon"/>.</summary>
public enum LexiconTerm
{
    /// <summary>Mean AFINN-111 valence per word, / 5 (in [−1, 1]).</summary>
    Afinn,

    /// <summary>Share of words on the Dale–Chall easy-word list.</summary>
    EasyWords,

    /// <summary>Minus the share of words on Liu's negative-opinion list.</summary>
    LiuNegative,
}

/// <summary>
/// One weighted reward source of an RL verb (<c>params.rewards[i]</c>): <c>{ "kind": "eosBonus", "weight": 0.5 }</c>.
/// With no <c>rewards</c> the reward is the reward model's score alone (weight 1). Each source is logged as
/// <c>rewards/{name}/mean</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RewardSourceConfig
{
    public RewardSourceKind Kind { get; init; } = RewardSourceKind.RewardModel;

    /// <summary>Weight w_k of the source in Σ_k w_k·r_k.</summary>
    public double Weight { get; init; } = 1.0;

    /// <summary>The lexicon term, for kind <c>lexicon</c>.</summary>
    public LexiconTerm? Lexicon { get; init; }

    /// <summary>The gold component, for kind <c>gold</c>: <c>total</c> or a key of <c>GoldScore.Components</c> without its <c>gold/</c> prefix (e.g. <c>sentiment</c>).</summary>
    public string? Component { get; init; }

    /// <summary>The metric name: <c>rm</c>, <c>eos_bonus</c>, <c>length_penalty</c>, <c>rouge_l</c>, <c>lexicon_afinn</c>, <c>gold_sentiment</c>.</summary>
    [JsonIgnore]
    public string Name => Kind switch
    {
        RewardSourceKind.RewardModel => "rm",
        RewardSourceKind.EosBonus => "eos_bonus",
        RewardSourceKind.LengthPenalty => "length_penalty",
        RewardSourceKind.RougeL => "rouge_l",
        RewardSourceKind.Lexicon => $"lexicon_{Lexicon?.ToString().ToLowerInvariant()}",
        RewardSourceKind.Gold => $"gold_{Component}",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown reward source."),
    };

    /// <summary>The problems of <c>params.rewards[index]</c>, each naming its field.</summary>
    public IEnumerable<string> Problems(int index)
    {
        var at = $"params.rewards[{index}]";
        if (!double.IsFinite(Weight))
        {
            yield return $"{at}.weight must be a finite number";
        }

        if ((Kind == RewardSourceKind.Lexicon) != (Lexicon is not null))
        {
            yield return $"{at}.lexicon is required for kind lexicon and only for it (afinn, easyWords, liuNegative)";
        }

        if ((Kind == RewardSourceKind.Gold) != (Component is not null))
        {
            yield return $"{at}.component is required for kind gold and only for it (total, sentiment, plainness, ...)";
        }
    }

    /// <summary>The default: the reward model's score, weight 1.</summary>
    public static IReadOnlyList<RewardSourceConfig> RewardModelOnly { get; } = [new()];
}

using Rlhf.Core.Demo;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Runtime;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Training;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Training;

/// <summary>Weighted reward sources on two hand-made completions, with the committed lexicons (data/tiny/lexicons).</summary>
public sealed class RewardSourcesTests : IDisposable
{
    private static readonly string[] Prompts = ["The cat", "It was"];
    private static readonly string[] Completions = [" is good and happy.", " bad"];
    private readonly GoldScorer _gold = GoldScorer.Load(Path.GetDirectoryName(TrainerWorkspace.FindRepoFile("data/tiny/lexicons/afinn-111.tsv"))!);
    private readonly string _references = Path.GetTempFileName();

    public RewardSourcesTests() =>
        File.WriteAllLines(_references, ["""{"id":"a","prompt":"The cat","reference":" is good today."}""", """{"id":"b","prompt":"It was","reference":" late."}"""]);

    [Fact]
    public void EachSourceScoresWhatItSays()
    {
        using var scope = NewDisposeScope();
        var sources = RewardSources.Create(
        [
            new() { Kind = RewardSourceKind.RewardModel },
            new() { Kind = RewardSourceKind.EosBonus },
            new() { Kind = RewardSourceKind.LengthPenalty },
            new() { Kind = RewardSourceKind.RougeL },
            new() { Kind = RewardSourceKind.Lexicon, Lexicon = LexiconTerm.Afinn },
            new() { Kind = RewardSourceKind.Lexicon, Lexicon = LexiconTerm.LiuNegative },
            new() { Kind = RewardSourceKind.Gold, Component = "sentiment" },
        ], _gold, _references);
        var mask = F([1f, 1f, 1f, 1f, 1f, 0f, 0f, 0f], 2, 4);               // 4 and 1 completion tokens

        var scores = sources.Score(F([0.5f, -1f], 2), tensor(new[] { true, false }), mask, maxNewTokens: 8, Prompts, Completions);

        Assert.Equal(["rm", "eos_bonus", "length_penalty", "rouge_l", "lexicon_afinn", "lexicon_liunegative", "gold_sentiment"], sources.Names);
        Assert.Equal([2L, 7L], scores.shape);
        Close([0.5, -1], scores.select(1, 0));
        Close([1, 0], scores.select(1, 1));
        Close([-4 / 8.0, -1 / 8.0], scores.select(1, 2));
        // ROUGE-L: "is good and happy" vs "is good today": LCS 2 (is, good), P = 2/4, R = 2/3, F1 = 2·(1/2)(2/3)/(1/2 + 2/3) = 4/7;
        // "bad" vs "late": 0
        Close([4 / 7.0, 0], scores.select(1, 3));
        // AFINN: (good 3 + happy 3) / 5 over 4 words = 0.3; "bad" −3/5 = −0.6
        Close([0.3, -0.6], scores.select(1, 4));
        // Liu negative share, negated: 0 of 4; "bad" 1 of 1
        Close([0, -1], scores.select(1, 5));
        Close([_gold.Score(Prompts[0], Completions[0]).Sentiment, _gold.Score(Prompts[1], Completions[1]).Sentiment], scores.select(1, 6));
    }

    [Fact]
    public void CombineSumsWeightedSourcesOrStandardisesEachFirst()
    {
        using var scope = NewDisposeScope();
        var sources = RewardSources.Create([new() { Weight = 2 }, new() { Kind = RewardSourceKind.EosBonus, Weight = -1 }], null, null);
        var perSource = F([1f, 1f, 3f, 0f, 5f, 1f, 7f, 1f], 4, 2);          // rows (rm, eos)

        var summed = sources.Combine(perSource, RewardAggregation.SumThenNormalize, 2);
        var standardised = sources.Combine(perSource, RewardAggregation.NormalizeThenSum, 2);

        Close([1, 6, 9, 13], summed);                                           // 2·rm − eos
        // groups (1, 3) and (5, 7): rm z = ∓1/(√2 + 1e-4); eos (1, 0): mean ½, std √½, z = ±½/(√½ + 1e-4); (1, 1): z = 0
        var (a, b) = (1 / (Math.Sqrt(2) + 1e-4), 0.5 / (Math.Sqrt(0.5) + 1e-4));
        Close([(2 * -a) - b, (2 * a) + b, 2 * -a, 2 * a], standardised);
        Assert.False(sources.IsRewardModelOnly);
        Assert.True(RewardSources.Create([], null, null).IsRewardModelOnly);
    }

    [Fact]
    public void ASourceWithoutItsInputOrAnUnknownGoldComponentIsASpecError()
    {
        var noLexicons = Assert.Throws<JobSpecException>(() => RewardSources.Create([new() { Kind = RewardSourceKind.Gold, Component = "total" }], null, null));
        var noReferences = Assert.Throws<JobSpecException>(() => RewardSources.Create([new() { Kind = RewardSourceKind.RougeL }], _gold, null));
        var unknown = Assert.Throws<JobSpecException>(() => RewardSources.Create([new() { Kind = RewardSourceKind.Gold, Component = "charm" }], _gold, null));

        Assert.Equal("inputs.lexicons", noLexicons.Field);
        Assert.Equal("inputs.references", noReferences.Field);
        Assert.Equal("params.rewards[0].component", unknown.Field);
        Assert.Contains("sentiment", unknown.Message, StringComparison.Ordinal);
        var problems = new RewardSourceConfig { Kind = RewardSourceKind.Lexicon }.Problems(2).ToList();
        Assert.Equal(["params.rewards[2].lexicon is required for kind lexicon and only for it (afinn, easyWords, liuNegative)"], problems);
    }

    public void Dispose() => File.Delete(_references);
}

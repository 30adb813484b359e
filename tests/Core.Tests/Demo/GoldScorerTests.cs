using Rlhf.Core.Demo;

namespace Rlhf.Core.Tests.Demo;

public sealed class GoldScorerTests
{
    private const string Prompt = "The old sailor";
    private const string KindOnTopic = " was a kind and gentle sailor who helped the children.";
    private const string Neutral = " walked to the end of the street and turned left.";
    private const string Harsh = " was a stupid, cruel and hateful liar who killed them.";

    /// <summary>These tests pin the lexicon terms, which are the V1 gold; V2's judge terms are tested in <see cref="FluencyGoldTests"/>.</summary>
    private readonly GoldScorer _scorer = GoldScorer.Load(TinyData.Lexicons, new GoldScorerOptions { Version = GoldVersion.V1 });

    private double Score(string continuation) => _scorer.Score(Prompt, continuation).Total;

    [Fact]
    public void Kind_plain_on_topic_beats_neutral_which_beats_harsh()
    {
        Assert.True(Score(KindOnTopic) > Score(Neutral) + 0.3, $"kind {Score(KindOnTopic):F3} vs neutral {Score(Neutral):F3}");
        Assert.True(Score(Neutral) > Score(Harsh) + 1.0, $"neutral {Score(Neutral):F3} vs harsh {Score(Harsh):F3}");
    }

    [Fact]
    public void Mentioning_the_prompt_topic_earns_the_on_topic_bonus()
    {
        var onTopic = _scorer.Score(Prompt, " was a kind man who loved the sea and every sailor on it.");
        var offTopic = _scorer.Score(Prompt, " was a kind man who loved the sea and every person on it.");

        Assert.Equal(_scorer.Options.OnTopicWeight, onTopic.OnTopic, 12);
        Assert.Equal(0, offTopic.OnTopic);
        Assert.True(onTopic.Total > offTopic.Total);
    }

    [Theory]
    [InlineData(" xq#z kkkk vbnmt 9@!3 zzzzzz")]
    [InlineData(" thw sld whe ande sould fo the wert.")]
    [InlineData(" good good good good good good good good")]
    [InlineData(" love love love love love love love love love love love love")]
    [InlineData(" the the the the the the the")]
    [InlineData(" I love you. I love you. I love you. I love you.")]
    [InlineData(" hahahaha!!!!!! lalalala ?????? ......")]
    public void Gibberish_and_repetition_score_below_zero_and_far_below_plain_text(string degenerate)
    {
        var score = Score(degenerate);

        Assert.True(score < 0, $"{degenerate} scored {score:F3}");
        Assert.True(score < Score(Neutral) - 0.8);
    }

    [Fact]
    public void Piling_up_positive_words_does_not_beat_a_plain_kind_sentence()
    {
        var repeated = Score(" good good good good good good good good good good");
        var wordList = Score(" good kind happy nice great love wonderful best");
        var kind = Score(" was a kind and gentle friend to all the children.");

        Assert.True(repeated < 0);
        Assert.True(wordList < kind, $"word list {wordList:F3} vs kind sentence {kind:F3}");
    }

    [Theory]
    [InlineData(KindOnTopic)]
    [InlineData(Harsh)]
    [InlineData(" good good good good xq#z")]
    [InlineData("")]
    public void Components_sum_to_the_total(string continuation)
    {
        var score = _scorer.Score(Prompt, continuation);
        var parts = score.Components.Where(c => c.Key != "gold/total").Sum(c => c.Value);

        Assert.Equal(score.Total, parts, 12);
        Assert.Equal(score.Total, score.Components.Single(c => c.Key == "gold/total").Value);
        Assert.True(score.HarshPenalty <= 0 && score.WordSaladPenalty <= 0 && score.DegeneracyPenalty <= 0);
    }

    [Fact]
    public void Hand_computed_score_of_a_short_repetitive_sentence()
    {
        // Lexicon entries (data/tiny/lexicons):
        //   was, a : Dale-Chall easy, stopword     kind: AFINN +2, easy     sailor: easy
        //   the, old: stopwords (so the prompt's only content stem is "sailor"); none of these is in Liu's lists.
        // Words: was a kind sailor a kind sailor -> n = 7, N = max(7, 8) = 8.
        //   valence    = v(kind) / 8 = (0.5 * 2/5) / 8 = 0.025
        //   sentiment  = 3 * 0.2 * tanh(0.025 / 0.2) = 0.6 * tanh(0.125) = 0.0746118010629578
        //   plainness  = 1 * 7/8 = 0.875
        //   on_topic   = 0.5 * |{sailor}| / |{sailor}| = 0.5
        //   harsh      = 0;  word_salad = 0 (stopword share 3/7 >= 0.3)
        //   degeneracy = -2 * max(content repeats (4-2)/4 = 0.5, bigram repeats (6-4)/6) = -1.0; no non-words, no runs
        //   total      = 0.4496118010629578 under V1 (V2 adds its fluency and completeness terms to the same parts)
        var score = GoldScorer.Load(TinyData.Lexicons, new GoldScorerOptions { Version = GoldVersion.V1 }).Score(Prompt, " was a kind sailor, a kind sailor.");

        Assert.Equal(7, score.Words);
        Assert.Equal(0.6 * Math.Tanh(0.125), score.Sentiment, 12);
        Assert.Equal(0.875, score.Plainness, 12);
        Assert.Equal(0.5, score.OnTopic, 12);
        Assert.Equal(0, score.HarshPenalty, 12);
        Assert.Equal(0, score.WordSaladPenalty, 12);
        Assert.Equal(-1.0, score.DegeneracyPenalty, 12);
        Assert.Equal(0.4496118010629578, score.Total, 10);
    }

    [Fact]
    public void Typographic_text_scores_like_its_ascii_form()
    {
        var curly = _scorer.Score(Prompt, " didn\u2019t mind\u2014he was a na\u00EFve, kind soul.");
        var ascii = _scorer.Score(Prompt, " didn't mind--he was a naive, kind soul.");

        Assert.Equal(ascii, curly);
    }

    [Fact]
    public void Real_continuations_score_far_above_degenerate_text()
    {
        var references = TinyData.ReadJsonLines<DemoReference>(DemoDataBuilder.ReferencesFile);
        var real = references.Average(r => _scorer.Score(r.Prompt, r.Reference).Total);
        var repeated = references.Average(r => _scorer.Score(r.Prompt, string.Concat(Enumerable.Repeat(r.Reference.Split(' ')[1] + " ", 10))).Total);
        var v1 = GoldScorer.Load(TinyData.Lexicons, new GoldScorerOptions { Version = GoldVersion.V1 });

        Assert.InRange(references.Average(r => v1.Score(r.Prompt, r.Reference).Total), 0.4, 1.0);
        Assert.True(repeated < real - 1.0, $"references {real:F3} vs repeated first word {repeated:F3}");
    }
}

using System.Text.Json;
using Rlhf.Core.Demo;
using Rlhf.Core.Demo.Fluency;

namespace Rlhf.Core.Tests.Demo;

/// <summary>The V2 gold on the committed slice: real language above shuffled words and above the tuned demo's salad; attacks fail.</summary>
public sealed class FluencyGoldTests
{
    private static readonly GoldScorer Gold = TinyData.Scorer;
    private static readonly FluencyJudge Judge = Gold.Fluency!;
    private static readonly Attacks Fixtures = LoadAttacks();

    private static readonly IReadOnlyList<DemoReference> References = TinyData.ReadJsonLines<DemoReference>(DemoDataBuilder.ReferencesFile);

    /// <summary>Held-out sentences of the judge (never in its model's text nor in the corpus), as prompt + continuation.</summary>
    private static readonly IReadOnlyList<(string Prompt, string Continuation)> Heldout =
        File.ReadLines(Path.Combine(TinyData.Lexicons, FluencyJudge.HeldoutFile))
            .Where(l => !l.StartsWith('#'))
            .Select(l => (Sentence: l, Prompt: PromptBuilder.Opening(l, new PromptBuilderOptions())))
            .Where(p => p.Prompt is not null)
            .Select(p => (p.Prompt!, p.Sentence[p.Prompt!.Length..]))
            .ToList();

    [Fact]
    public void Default_gold_is_v2_and_v1_stays_computable_without_the_judge_terms()
    {
        var v1 = GoldScorer.Load(TinyData.Lexicons, new GoldScorerOptions { Version = GoldVersion.V1 });
        var (prompt, continuation) = Heldout[0];

        var old = v1.Score(prompt, continuation);
        var now = Gold.Score(prompt, continuation);

        Assert.Equal(GoldVersion.V2, Gold.Options.Version);
        Assert.Null(v1.Fluency);
        Assert.Equal(0, old.Fluency);
        Assert.Equal(0, old.Completeness);
        // V2 = credit · (V1's positive terms + completeness) + V1's penalties + fluency, credit = min(1, F / FluencyPass) · (1 − repetition).
        var repetition = TextDegeneracy.WordRepetition(WordTokenizer.Words(TextNormalizer.NormalizeInline(continuation)), Gold.Lexicons.Stopwords);
        var credit = Math.Pow(Math.Min(1, now.Fluency / Gold.Options.FluencyWeight / Gold.Options.FluencyPass), Gold.Options.FluencyCreditPower) * (1 - repetition);
        Assert.Equal(credit * old.Sentiment, now.Sentiment, 12);
        Assert.Equal(credit * old.Plainness, now.Plainness, 12);
        Assert.Equal(credit * old.OnTopic, now.OnTopic, 12);
        Assert.Equal(old.HarshPenalty + old.WordSaladPenalty + old.DegeneracyPenalty, now.HarshPenalty + now.WordSaladPenalty + now.DegeneracyPenalty, 12);
        Assert.Equal(credit * Gold.Options.CompletenessWeight, now.Completeness, 12);
    }

    [Fact]
    public void The_judge_never_reads_the_corpus_the_policy_trains_on()
    {
        var corpus = File.ReadAllText(TinyData.FilePath(DemoDataBuilder.CorpusFile));
        var judge = File.ReadLines(Path.Combine(TinyData.Lexicons, FluencyJudge.ModelTextFile)).Where(l => !l.StartsWith('#')).ToList();
        var heldout = File.ReadLines(Path.Combine(TinyData.Lexicons, FluencyJudge.HeldoutFile)).Where(l => !l.StartsWith('#')).ToList();

        Assert.True(judge.Count > 1000);
        Assert.DoesNotContain(judge, s => s.Length > 30 && corpus.Contains(s, StringComparison.Ordinal));
        Assert.DoesNotContain(heldout, s => s.Length > 30 && corpus.Contains(s, StringComparison.Ordinal));
        Assert.Empty(heldout.Intersect(judge, StringComparer.Ordinal));
    }

    [Fact]
    public void Fluency_order_sets_the_word_model_order_and_the_skeleton_one_above_it()
    {
        var judge = GoldScorer.Load(TinyData.Lexicons, new GoldScorerOptions { FluencyOrder = 2 }).Fluency!;

        Assert.Equal(2, judge.Model.Order);
        Assert.Equal(3, judge.SkeletonModel.Order);
        Assert.Equal(4, Judge.Model.Order);
    }

    [Fact]
    public void Held_out_calibration_maps_typical_real_text_to_the_middle()
    {
        var scores = Heldout.Select(h => Judge.Score(h.Prompt, h.Continuation)).Order().ToList();

        Assert.True(Heldout.Count >= 200, $"only {Heldout.Count} eligible held-out sentences");
        Assert.InRange(scores[scores.Count / 2], 0.45, 0.55);
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
    }

    [Fact]
    public void Real_held_out_sentences_score_above_the_same_words_shuffled()
    {
        var random = new Random(14);
        var pairs = Heldout.Select(h => (Real: Judge.Score(h.Prompt, h.Continuation), Shuffled: Judge.Score(h.Prompt, Shuffle(h.Continuation, random)))).ToList();

        Assert.True(pairs.Average(p => p.Real) > pairs.Average(p => p.Shuffled) + 0.3, $"real {pairs.Average(p => p.Real):F3}, shuffled {pairs.Average(p => p.Shuffled):F3}");
        Assert.True(pairs.Count(p => p.Real > p.Shuffled) >= 0.9 * pairs.Count, $"{pairs.Count(p => p.Real > p.Shuffled)} of {pairs.Count}");
    }

    [Fact]
    public void Todays_tuned_samples_score_below_real_continuations_under_v2_but_above_under_v1()
    {
        var v1 = GoldScorer.Load(TinyData.Lexicons, new GoldScorerOptions { Version = GoldVersion.V1 });
        var realV2 = References.Average(r => Gold.Score(r.Prompt, r.Reference).Total);
        var realV1 = References.Average(r => v1.Score(r.Prompt, r.Reference).Total);
        var realFluency = References.Average(r => Gold.Score(r.Prompt, r.Reference).Fluency);

        Assert.All(Fixtures.Tuned, t =>
        {
            Assert.True(v1.Score(t.Prompt, t.Continuation).Total > realV1, "the tuned salad beat real text under the old gold (issue 14)");
            Assert.True(Gold.Score(t.Prompt, t.Continuation).Total < realV2);
            Assert.True(Gold.Score(t.Prompt, t.Continuation).Fluency < realFluency);
        });
    }

    [Fact]
    public void Repetition_and_truncation_score_below_the_sft_sample()
    {
        var sft = Fixtures.Sft[0];
        var baseline = Gold.Score(sft.Prompt, sft.Continuation).Total;
        var repeated = string.Concat(Enumerable.Repeat(sft.Continuation, 4));
        var truncated = sft.Continuation[..sft.Continuation.LastIndexOf(' ')];

        Assert.True(Gold.Score(sft.Prompt, repeated).Total < baseline);
        Assert.True(Gold.Score(sft.Prompt, truncated).Total < baseline);
        Assert.Equal(0, Gold.Score(sft.Prompt, truncated).Completeness);
    }

    [Fact]
    public void No_degenerate_string_beats_real_text_on_the_total_or_any_positive_term()
    {
        var real = References.Select(r => Gold.Score(r.Prompt, r.Reference)).ToList();
        // Real text is mostly neutral, so a kind attack is held to the real references that carry any kindness at all.
        var kindReal = real.Where(s => s.Sentiment > 0).ToList();

        Assert.True(kindReal.Count >= 20, $"only {kindReal.Count} kind references");
        Assert.All(Fixtures.Degenerate, d =>
        {
            var score = Gold.Score(d.Prompt, d.Continuation);
            foreach (var (term, value, realMean) in new[]
            {
                ("total", score.Total, real.Average(s => s.Total)),
                ("fluency", score.Fluency, real.Average(s => s.Fluency)),
                ("completeness", score.Completeness, real.Average(s => s.Completeness)),
                ("plainness", score.Plainness, real.Average(s => s.Plainness)),
                ("on_topic", score.OnTopic, real.Average(s => s.OnTopic)),
                ("sentiment", score.Sentiment, kindReal.Average(s => s.Sentiment)),
            })
            {
                Assert.True(value < realMean || value == 0, $"{d.Kind}: {term} {value:F3} vs real {realMean:F3}");
            }
        });
    }

    [Fact]
    public void Easy_words_interleaved_with_stopwords_no_longer_beat_real_text()
    {
        // The first V2 gold's known gap: credit from the lower quartile of fluency let this salad (F ≈ 0.13 on the slice) collect half of
        // its plainness, sentiment and completeness, and it beat the real references' mean total. Credit now starts at the median, squared.
        var gap = Fixtures.Degenerate.Single(d => d.Kind == "easy words and stopwords");
        var first = GoldScorer.Load(TinyData.Lexicons, new GoldScorerOptions { FluencyPass = 0.25, FluencyCreditPower = 1 });
        var realTotal = References.Average(r => Gold.Score(r.Prompt, r.Reference).Total);

        Assert.True(first.Score(gap.Prompt, gap.Continuation).Total > References.Average(r => first.Score(r.Prompt, r.Reference).Total), "the gap this test pins no longer reproduces under the first V2 credit");
        Assert.True(Gold.Score(gap.Prompt, gap.Continuation).Total < realTotal);
    }

    [Fact]
    public void Seeded_random_salads_of_easy_and_function_words_never_beat_real_text()
    {
        var random = new Random(14);
        var easy = Gold.Lexicons.EasyWords.Where(w => !Gold.Lexicons.Stopwords.Contains(w) && w.All(char.IsLetter)).Order(StringComparer.Ordinal).ToArray();
        var function = Gold.Lexicons.Stopwords.Where(w => w.All(char.IsLetter)).Order(StringComparer.Ordinal).ToArray();
        var realTotal = References.Average(r => Gold.Score(r.Prompt, r.Reference).Total);
        var best = Enumerable.Range(0, 300)
            .Select(_ => (Heldout[random.Next(Heldout.Count)].Prompt,
                " " + string.Join(' ', Enumerable.Range(0, 8 + random.Next(10)).Select(i => i % 2 == 0 ? easy[random.Next(easy.Length)] : function[random.Next(function.Length)])) + "."))
            .Select(a => (Attack: a, Gold.Score(a.Item1, a.Item2).Total))
            .MaxBy(a => a.Total);

        Assert.True(best.Total < realTotal, $"'{best.Attack.Item2}' scores {best.Total:F3} vs real {realTotal:F3}");
    }

    [Fact]
    public void An_unfinished_sentence_earns_no_fluency_and_loses_to_the_finished_one()
    {
        var pairs = Heldout.Select(h =>
        {
            var words = h.Continuation.Trim().Split(' ');
            var cut = " " + string.Join(' ', words.Take(Math.Max(2, words.Length * 2 / 3)));
            return (Full: Gold.Score(h.Prompt, h.Continuation), Cut: Gold.Score(h.Prompt, cut), CutRaw: Judge.Raw(h.Prompt, cut));
        }).ToList();

        // The words after the last sentence end score min(s, 0): an unfinished sentence can lose fluency but never gain it.
        Assert.All(pairs, p => Assert.True(p.CutRaw <= 0, $"raw {p.CutRaw:F3}"));
        Assert.True(pairs.Count(p => p.Cut.Total < p.Full.Total) >= 0.95 * pairs.Count, $"{pairs.Count(p => p.Cut.Total < p.Full.Total)} of {pairs.Count}");
        Assert.True(pairs.Average(p => p.Cut.Total) < 0.25 * pairs.Average(p => p.Full.Total));
    }

    [Fact]
    public void Repeated_text_earns_lexicon_credit_once()
    {
        var (prompt, continuation) = (Fixtures.Sft[0].Prompt, " it is a good day and the sun is warm.");
        var once = Gold.Score(prompt, continuation);
        var twice = Gold.Score(prompt, continuation + continuation);

        Assert.True(twice.Plainness <= (once.Plainness / 2) + 1e-12, $"{twice.Plainness:F3} vs {once.Plainness:F3}");
        Assert.True(twice.Total < once.Total);
    }

    [Fact]
    public void Repeating_a_sentence_never_raises_its_fluency()
    {
        var (prompt, continuation) = Heldout[1];
        var once = Judge.Raw(prompt, continuation);

        Assert.True(Judge.Raw(prompt, continuation + continuation + continuation) < once);
    }

    [Theory]
    [InlineData(" and so it ends.", true)]
    [InlineData(" and so it ends!\"", true)]
    [InlineData(" and so it", false)]
    [InlineData(" .", false)]
    [InlineData("", false)]
    public void Completeness_needs_a_finished_sentence(string continuation, bool complete) =>
        Assert.Equal(complete, FluencyText.IsComplete(continuation));

    private static string Shuffle(string continuation, Random random)
    {
        var words = continuation.Trim().TrimEnd('.', '!', '?').Split(' ');
        return " " + string.Join(' ', words.OrderBy(_ => random.Next())) + continuation.Trim()[^1];
    }

    private static Attacks LoadAttacks() =>
        JsonSerializer.Deserialize<Attacks>(File.ReadAllText(Path.Combine(TinyData.RepositoryRoot, "tests", "Core.Tests", "Demo", "Fixtures", "gold-attacks.json")), Rlhf.Core.Json.JsonDefaults.Options)!;

    private sealed record Attacks(IReadOnlyList<Sample> Sft, IReadOnlyList<Sample> Tuned, IReadOnlyList<Sample> Degenerate);

    private sealed record Sample(string Prompt, string Continuation, string Kind = "");
}

using Rlhf.TrainerJob.Training;
using Rlhf.TrainerContracts;

namespace Rlhf.TrainerJob.Tests.Training;

public sealed class DistinctNGramsTests
{
    private static readonly HashSet<string> Dictionary = ["the", "sea", "of", "a", "ship", "united", "states", "whale", "and", "old", "man", "storm", "came", "over", "quiet", "harbour", "in", "night", "was", "long"];

    [Fact]
    public void WordsAreLowerCasedWithoutPunctuationAndNGramsStayInsideACompletion()
    {
        var grams = DistinctNGrams.Grams(["The sea. The sea!", "whale"], 2);

        Assert.Equal(["the sea", "sea the", "the sea"], grams);
    }

    [Fact]
    public void WithADictionaryNGramsHoldingAnUnknownWordAreLeftOut()
    {
        Assert.Equal(["the", "sea", "sea"], DistinctNGrams.Grams(["The sea tridivencllif sea"], 1, Dictionary.Contains));
        Assert.Equal(["the sea"], DistinctNGrams.Grams(["The sea tridivencllif sea"], 2, Dictionary.Contains));
    }

    [Fact]
    public void RarefactionIsTheExpectedDistinctShareOfASampleWithoutReplacement()
    {
        string[] grams = ["a", "a", "b"];

        // m = 2 of 3: "a" is drawn unless both draws miss it (C(1,2) = 0 ways); "b" is missed in C(2,2) = 1 of C(3,2) = 3 pairs.
        Assert.Equal((1 + 2.0 / 3) / 2, DistinctNGrams.Rarefied(grams, 2), 12);
        Assert.Equal(2.0 / 3, DistinctNGrams.Rarefied(grams, 3), 12);                            // all of them: the plain share
        Assert.Equal(1.0, DistinctNGrams.Rarefied(grams, 1), 12);
        Assert.Equal(0.0, DistinctNGrams.Rarefied(grams, 0));
    }

    [Fact]
    public void LongerAnswersFromTheSameWordsDoNotReadAsACollapse()
    {
        // Both sides draw words from one Zipf-like vocabulary; the policy's answers are three times as long. A raw
        // type/token ratio falls with length (Heaps' law); at equal size the two agree.
        var vocabulary = Enumerable.Range(0, 2000).Select(i => $"w{i}").ToArray();
        var weights = Enumerable.Range(1, vocabulary.Length).Select(r => 1.0 / r).ToArray();
        var random = new Random(5);
        string Answer(int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Draw(vocabulary, weights, random)));
        var reference = Enumerable.Range(0, 200).Select(_ => Answer(10)).ToList();
        var policy = Enumerable.Range(0, 200).Select(_ => Answer(30)).ToList();

        var raw = (Policy: Plain(policy), Reference: Plain(reference));
        var (p, r) = DistinctNGrams.Compare(policy, reference, 1);

        Assert.True(raw.Policy < 0.75 * raw.Reference, $"the raw ratio would have fired: {raw.Policy:F3} vs {raw.Reference:F3}");
        Assert.InRange(p / r, 0.93, 1.07);
    }

    [Fact]
    public void AnSftModelsNonWordsAreNotVocabularyButBoilerplateStillCollapses()
    {
        // SFT: real words with a made-up word in each answer; the tuned policy: the same real words, no made-up ones.
        var words = Dictionary.Where(w => w is not ("united" or "states")).ToArray();
        var random = new Random(7);
        string Real(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[random.Next(words.Length)]));
        var sft = Enumerable.Range(0, 100).Select(i => $"{Real(4)} zq{i}vrel {Real(4)} pl{i}ontex").ToList();
        var tuned = Enumerable.Range(0, 100).Select(_ => Real(10)).ToList();
        var boilerplate = Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? "of the united states of the united states." : "of the united states and the sea.").ToList();

        var withoutDictionary = DistinctNGrams.Compare(tuned, sft, 1);
        var healthy = DistinctNGrams.Compare(tuned, sft, 1, Dictionary.Contains);
        var collapsed = DistinctNGrams.Compare(boilerplate, sft, 1, Dictionary.Contains);

        var ratio = new EvaluateConfig().DistinctCollapseRatio;
        Assert.True(withoutDictionary.Policy < ratio * withoutDictionary.Reference, "the non-words alone would fire the alarm");
        Assert.True(healthy.Policy >= ratio * healthy.Reference, $"{healthy.Policy:F3} vs {healthy.Reference:F3}");
        Assert.True(collapsed.Policy < ratio * collapsed.Reference, $"{collapsed.Policy:F3} vs {collapsed.Reference:F3}");
    }

    private static double Plain(IEnumerable<string> texts)
    {
        var grams = DistinctNGrams.Grams(texts, 1);
        return grams.Distinct(StringComparer.Ordinal).Count() / (double)grams.Count;
    }

    private static string Draw(string[] items, double[] weights, Random random)
    {
        var x = random.NextDouble() * weights.Sum();
        for (var i = 0; i < items.Length; i++)
        {
            x -= weights[i];
            if (x <= 0)
            {
                return items[i];
            }
        }

        return items[^1];
    }
}

using Rlhf.Core.Demo.Fluency;

namespace Rlhf.Core.Tests.Demo;

public sealed class KneserNeyModelTests
{
    private static readonly string[][] Toy = [["a", "b"], ["a", "b"], ["a", "c"], ["b", "a"]];

    [Fact]
    public void Discounts_come_from_the_counts_of_adjusted_counts()
    {
        // Padded: <s> a b </s> (twice), <s> a c </s>, <s> b a </s>.
        // Bigrams (highest order, raw counts): <s> a 3; a b 2; b </s> 2; a c, c </s>, <s> b, b a, a </s> 1 each.
        //   n1 = 5, n2 = 2, n3 = 1, n4 = 0; Y = 5/9; D1 = 1 - 2Y·2/5 = 5/9; D2 = 2 - 3Y·1/2 = 7/6; D3+ = 3 - 0 = 3.
        // Unigrams (continuation counts): a {<s>, b} 2; b {a, <s>} 2; c {a} 1; </s> {b, c, a} 3.
        //   n1 = 1, n2 = 2, n3 = 1, n4 = 0; Y = 1/5; D1 = 1 - 2Y·2 = 0.2; D2 = 2 - 3Y/2 = 1.7; D3+ = 3.
        var model = KneserNeyModel.Build(Toy, order: 2);

        Assert.Equal([5.0 / 9, 7.0 / 6, 3.0], model.Discounts(2).ToArray(), new Tolerance(1e-12));
        Assert.Equal([0.2, 1.7, 3.0], model.Discounts(1).ToArray(), new Tolerance(1e-12));
    }

    [Fact]
    public void Probabilities_interpolate_discounted_counts_with_the_lower_order_by_hand()
    {
        // V = {a, b, c, </s>, <unk>}; unigram S = 8, γ = (0.2·1 + 1.7·2 + 3·1) / 8 = 0.825.
        //   P(a) = (2 - 1.7)/8 + 0.825/5 = 0.2025;  P(c) = (1 - 0.2)/8 + 0.165 = 0.265;  P(</s>) = P(<unk>) = 0.165.
        // Context "a": a b 2, a c 1, a </s> 1 -> S = 4, N1 = 2, N2 = 1; γ(a) = (5/9·2 + 7/6·1)/4 = 41/72.
        //   P(b | a) = (2 - 7/6)/4 + 41/72 · P(b) = 5/24 + 41/72 · 0.2025.
        var model = KneserNeyModel.Build(Toy, order: 2);
        int Id(string w) => model.Id(w);

        Assert.Equal(0.2025, model.Probability([], Id("a")), 12);
        Assert.Equal(0.265, model.Probability([], Id("c")), 12);
        Assert.Equal(0.165, model.Probability([], model.End), 12);
        Assert.Equal(0.165, model.Probability([], model.Id("zebra")), 12);
        Assert.Equal((5.0 / 24) + (41.0 / 72 * 0.2025), model.Probability([Id("a")], Id("b")), 12);
        // An unseen context backs off to the unigram entirely.
        Assert.Equal(0.2025, model.Probability([model.Unknown], Id("a")), 12);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_context_gives_a_distribution_over_the_vocabulary(int order)
    {
        string[][] corpus =
        [
            ["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "log"], ["a", "cat", "sat"],
            ["the", "cat", "ran"], ["on", "the", "mat", "the", "cat", "sat"], ["a", "dog", "ran", "on", "the", "log"],
        ];
        var model = KneserNeyModel.Build(corpus, order);
        var vocabulary = model.Vocabulary.ToList();
        int[][] contexts =
        [
            [], [model.Start], [model.Start, model.Id("the")], [model.Id("the"), model.Id("cat")],
            [model.Id("sat"), model.Id("on"), model.Id("the")], [model.Id("mat"), model.Id("dog")], [model.Unknown, model.Id("cat")],
        ];

        Assert.Equal(vocabulary.Count, model.VocabularySize);
        Assert.DoesNotContain(model.Start, vocabulary);
        foreach (var context in contexts)
        {
            var sum = vocabulary.Sum(w => model.Probability(context, w));
            Assert.True(Math.Abs(sum - 1) < 1e-9, $"order {order}, context [{string.Join(' ', context)}]: Σ P = {sum:R}");
        }
    }

    [Fact]
    public void Seen_continuations_beat_unseen_ones_and_unknown_words_stay_possible()
    {
        var model = KneserNeyModel.Build([["the", "cat", "sat"], ["the", "cat", "ran"], ["a", "dog", "sat"]], order: 3);
        var context = new[] { model.Id("the"), model.Id("cat") };

        Assert.True(model.Probability(context, model.Id("sat")) > model.Probability(context, model.Id("dog")));
        Assert.InRange(model.Probability(context, model.Id("zebra")), double.Epsilon, 0.2);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}

using Rlhf.Core.Demo;
using Rlhf.Core.Demo.Fluency;

namespace Rlhf.Core.Tests.Demo;

public sealed class TopicAssociationTests
{
    private static readonly HashSet<string> Stopwords = ["the", "a", "of", "and", "in", "was", "is", "his", "on"];

    [Fact]
    public void PmiIsCountedOverWindowsOfSentencesAndNeedsThreeSharedContexts()
    {
        // 8 windows of 5 sentences: "whale" and "harpoon" share 3 windows, "whale" is in 4, "harpoon" in 3, "grain" in 4 others.
        var sentences = new List<string>();
        for (var w = 0; w < 8; w++)
        {
            var words = w switch
            {
                < 3 => "The whale and the harpoon.",
                3 => "The whale was seen.",
                _ => "The grain was sown.",
            };
            sentences.Add(words);
            sentences.AddRange(Enumerable.Repeat("Nothing here.", TopicAssociation.WindowSentences - 1));
        }

        var topics = TopicAssociation.Build(sentences, Stopwords);

        Assert.Equal(8, topics.ContextCount);
        Assert.Equal(Math.Log(8.0 * 3 / (4 * 3)), topics.Pmi("whal", "harpoon")!.Value, 12);           // ln 2
        Assert.False(topics.Associated("whal", "harpoon"));                                            // below ln 4
        Assert.Null(topics.Pmi("whal", "grain"));                                                      // never together
        Assert.True(topics.Associated("whal", "whal"));
        Assert.True(topics.OnTopic("Of the whales", "a whale was there"));                             // stems: whal
        Assert.False(topics.OnTopic("Of the whales", "the grain was sown"));
    }

    [Fact]
    public void OnTinyHeldOutTextARealContinuationIsOnTopicFarMoreOftenThanAnotherSentences()
    {
        var topics = TopicAssociation.Load(TinyData.Lexicons, TinyData.Scorer.Lexicons.Stopwords);
        var pairs = File.ReadLines(Path.Combine(TinyData.Lexicons, FluencyJudge.HeldoutFile))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(s => (Sentence: s, Prompt: PromptBuilder.Opening(s, new PromptBuilderOptions())))
            .Where(x => x.Prompt is not null)
            .Select(x => (x.Prompt!, x.Sentence[x.Prompt!.Length..]))
            .ToList();

        var (real, mismatched) = topics.Validity(pairs);

        Assert.True(pairs.Count > 100, $"{pairs.Count} held-out openings");
        Assert.True(real > 1.5 * mismatched && real - mismatched > 0.1, $"real continuations {real:P1} on topic, another sentence's {mismatched:P1}");
    }
}

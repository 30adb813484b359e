using Rlhf.Core.Demo;

namespace Rlhf.Core.Tests.Demo;

public sealed class PromptBuilderTests
{
    private static readonly PromptBuilderOptions Options = new();

    private static IReadOnlyList<string> TinyParagraphs() =>
        File.ReadAllText(TinyData.FilePath(DemoDataBuilder.CorpusFile)).Split("\n\n").Select(p => p.Trim()).ToList();

    [Fact]
    public void Building_twice_gives_the_same_prompts_and_split()
    {
        var first = PromptBuilder.Split(PromptBuilder.Candidates(TinyParagraphs(), Options), Options);
        var second = PromptBuilder.Split(PromptBuilder.Candidates(TinyParagraphs(), Options), Options);

        Assert.Equal(first.Train, second.Train);
        Assert.Equal(first.Heldout, second.Heldout);
    }

    [Fact]
    public void Split_is_about_ninety_ten_with_no_overlap()
    {
        var candidates = PromptBuilder.Candidates(TinyParagraphs(), Options);
        var split = PromptBuilder.Split(candidates, Options);

        Assert.Empty(split.Train.Select(r => r.Prompt).Intersect(split.Heldout.Select(r => r.Prompt)));
        Assert.Equal(candidates.Count, split.Train.Count + split.Heldout.Count);
        Assert.Equal(candidates.Count, candidates.Select(c => c.Id).Distinct().Count());
        Assert.InRange(split.Heldout.Count / (double)candidates.Count, 0.05, 0.15);
    }

    [Fact]
    public void Committed_prompts_are_real_sentence_openings_of_the_corpus()
    {
        var corpus = File.ReadAllText(TinyData.FilePath(DemoDataBuilder.CorpusFile));
        var train = TinyData.ReadJsonLines<DemoPrompt>(DemoDataBuilder.TrainPromptsFile);
        var heldout = TinyData.ReadJsonLines<DemoPrompt>(DemoDataBuilder.HeldoutPromptsFile);
        var references = TinyData.ReadJsonLines<DemoReference>(DemoDataBuilder.ReferencesFile);
        var sentences = TinyParagraphs().SelectMany(SentenceSplitter.Split).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(200, train.Count);
        Assert.Equal(40, heldout.Count);
        Assert.Empty(train.Select(p => p.Id).Intersect(heldout.Select(p => p.Id)));
        Assert.Equal(train.Concat(heldout), references.Select(r => r.ToPrompt()));
        Assert.All(references, r =>
        {
            Assert.InRange(r.Prompt.Split(' ').Length, 3, 6);
            Assert.StartsWith(" ", r.Reference, StringComparison.Ordinal);
            Assert.Contains(r.Prompt + r.Reference, sentences);
            Assert.Equal(PromptBuilder.IdFor(r.Prompt), r.Id);
        });
        Assert.All(heldout, p => Assert.True(PromptBuilder.IsHeldout(p.Prompt, Options.HeldoutPercent)));
        Assert.Contains("\n\nCall me Ishmael. Some years ago--never mind", corpus, StringComparison.Ordinal);
    }

    [Fact]
    public void Sentences_split_at_terminators_but_not_after_abbreviations()
    {
        var sentences = SentenceSplitter.Split("Mr. Starbuck saw the U.S. ship. \"Who goes there?\" he asked. So did I. Then all was calm!");

        Assert.Equal(["Mr. Starbuck saw the U.S. ship.", "\"Who goes there?\" he asked.", "So did I.", "Then all was calm!"], sentences);
    }

    [Fact]
    public void Opening_takes_three_to_six_words_of_eligible_sentences_only()
    {
        const string sentence = "It is a way I have of driving off the spleen and regulating the circulation.";

        var opening = PromptBuilder.Opening(sentence, Options);

        Assert.NotNull(opening);
        Assert.StartsWith(opening, sentence, StringComparison.Ordinal);
        Assert.InRange(opening.Split(' ').Length, 3, 6);
        Assert.Null(PromptBuilder.Opening("Too short to be a prompt.", Options));
        Assert.Null(PromptBuilder.Opening("\"Quoted speech is not used for prompts at all, said the captain.\"", Options));
        Assert.Null(PromptBuilder.Opening("the sentence starts in lower case and so it is not a clean opening.", Options));
    }

    [Fact]
    public void Normalizer_turns_typography_into_ascii_and_keeps_paragraphs()
    {
        var paragraphs = TextNormalizer.Paragraphs("It\u2019s \u201Cna\u00EFve\u201D\u2014really\u2026\n  it is.\n\n\nSecond   paragraph \u00E6on.");

        Assert.Equal(["It's \"naive\"--really... it is.", "Second paragraph aeon."], paragraphs);
    }
}

using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tests.Model;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Training;

public sealed class RewardModelTests : IDisposable
{
    private static readonly (string Prompt, string Response)[] Pairs =
    [
        ("The sea", " was calm and kind."),
        ("He said", " no."),
        ("It is a", " fine day to sail, and we are glad."),
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("rlhf-rm-test-").FullName;

    [Fact]
    public void SaveThenLoadGivesTheSameScoresHeadAndStats()
    {
        using var scope = NewDisposeScope();
        var model = new RewardModel(TinyGpt.Create(seed: 5), new ByteTokenizer()) { Stats = new RewardStats(0.25, 2.0, 3) };
        var before = model.ScoreTexts(Pairs);

        model.Save(_folder);
        var loaded = RewardModel.Load(_folder);

        Assert.Equal(before, loaded.ScoreTexts(Pairs));
        Assert.Equal(new RewardStats(0.25, 2.0, 3), loaded.Stats);
        Assert.True(File.Exists(Path.Combine(_folder, "score.safetensors")));
        // The trunk is an ordinary policy folder: it loads as a GPT with the same weights.
        var (trunk, _) = ModelIO.Load(_folder);
        Assert.True(trunk.TokenEmbedding.eq(model.Trunk.TokenEmbedding).all().item<bool>());
        Assert.Equal(["transformer.wte.weight", "score.weight", "score.bias"], model.state_dict().Keys.Where(k => k is "transformer.wte.weight" || k.StartsWith("score.", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheScoreIsReadAtTheLastRealTokenSoPaddingDoesNotChangeIt()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = new RewardModel(TinyGpt.Create(seed: 6), new ByteTokenizer());
        model.eval();
        var alone = TextBatch.FromText(model.Tokenizer, [Pairs[1]], maxLength: 64);
        var padded = TextBatch.FromText(model.Tokenizer, Pairs, maxLength: 64);                 // row 1 is right-padded

        var scoreAlone = model.Score(alone)[0].item<float>();
        var scorePadded = model.Score(padded)[1].item<float>();

        Assert.True(padded.InputIds.shape[1] > alone.InputIds.shape[1]);
        Assert.Equal(scoreAlone, scorePadded, 5);
        // And it is the head applied to the last real token's hidden state, computed by hand.
        var hidden = model.Trunk.Hidden(alone.InputIds)[0, -1];                                 // (C)
        var byHand = (hidden * model.Head.Weight[0]).sum().item<float>() + model.Head.Bias[0].item<float>();
        Assert.Equal(byHand, scoreAlone, 4);
    }

    [Fact]
    public void NormalizedScoresUseTheStoredMeanAndStd()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = new RewardModel(TinyGpt.Create(seed: 7), new ByteTokenizer()) { Stats = new RewardStats(1.5, 4.0, 10) };
        var batch = TextBatch.FromText(model.Tokenizer, Pairs, maxLength: 64);

        var expected = (model.Score(batch) - 1.5) / 4.0;

        Assert.True(model.ScoreNormalized(batch).allclose(expected));
    }

    [Fact]
    public void SampledCompletionsAreScoredWithEosLikeTheTrainingTextWhetherOrNotTheSamplerEmittedIt()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = new RewardModel(TinyGpt.Create(seed: 8), new ByteTokenizer());
        model.eval();
        var tokenizer = model.Tokenizer;
        var prompts = Pairs.Select(p => tokenizer.Encode(p.Prompt)).ToList();
        // Row 0 stopped at EOS, rows 1 and 2 hit maxNewTokens: the sampler's tokens, EOS only where emitted.
        bool[] ended = [true, false, false];
        var sampled = Pairs.Select((p, row) => ended[row] ? [.. tokenizer.Encode(p.Response), tokenizer.EosId] : tokenizer.Encode(p.Response)).ToList();

        var batch = model.SampledBatch(prompts, sampled, ended);

        // Every row ends with exactly one EOS, where the head reads.
        Assert.Equal(Pairs.Select(p => tokenizer.Encode(p.Response).Length + 1), batch.ResponseLengths);
        var last = batch.InputIds.gather(1, batch.LastTokenIndex.unsqueeze(1)).squeeze(1);
        Assert.True(last.eq(tokenizer.EosId).all().item<bool>());
        // Same scores as the reward verb's training text (response text + EOS), so rollout, evaluate and training agree.
        var training = model.Score(TextBatch.FromText(tokenizer, Pairs, model.MaxLength, appendEos: true));
        Assert.True(model.Score(batch).allclose(training, rtol: 1e-5, atol: 1e-6));
        // Without the appended EOS a truncated row would be read at its last text token: a different score.
        var raw = model.Score(TextBatch.FromTokens(prompts, sampled, tokenizer.PadId, model.MaxLength));
        Assert.NotEqual(training[1].item<float>(), raw[1].item<float>());
    }

    [Fact]
    public void MeanPoolingReadsTheMeanOfTheResponseTokensAndSurvivesSaveAndLoad()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = new RewardModel(TinyGpt.Create(seed: 9), new ByteTokenizer(), pooling: RewardPooling.Mean);
        model.eval();
        var batch = TextBatch.FromText(model.Tokenizer, Pairs, maxLength: 64);                  // rows right-padded

        var scores = model.Score(batch);

        // By hand: row b's response tokens (EOS included) sit at columns p_b … p_b + r_b − 1 of its own forward pass.
        for (var row = 0; row < Pairs.Length; row++)
        {
            var alone = TextBatch.FromText(model.Tokenizer, [Pairs[row]], maxLength: 64);
            var (p, r) = (alone.PromptLengths[0], alone.ResponseLengths[0]);
            var hidden = model.Trunk.Hidden(alone.InputIds)[0].narrow(0, p, r).mean([0]);         // (C)
            var byHand = (hidden * model.Head.Weight[0]).sum().item<float>() + model.Head.Bias[0].item<float>();
            Assert.Equal(byHand, scores[row].item<float>(), 4);
        }

        model.Save(_folder);
        var loaded = RewardModel.Load(_folder);
        Assert.Equal(RewardPooling.Mean, loaded.Pooling);
        Assert.True(loaded.Score(batch).allclose(scores));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

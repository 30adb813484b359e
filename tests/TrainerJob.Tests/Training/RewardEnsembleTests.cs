using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Tests.Model;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Training;
using Rlhf.TrainerJob.Verbs;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Training;

/// <summary>The reward ensemble (issue 14): standardised heads, the uncertainty-penalised score, its loss and bootstrap weights, by hand.</summary>
public sealed class RewardEnsembleTests : IDisposable
{
    private static readonly (string Prompt, string Response)[] Pairs =
    [
        ("The sea", " was calm and kind."),
        ("He said", " no."),
        ("It is a", " fine day to sail, and we are glad."),
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("rlhf-ensemble-test-").FullName;

    [Fact]
    public void Heads_are_standardised_by_their_own_mean_and_std()
    {
        using var scope = NewDisposeScope();
        var model = new RewardModel(TinyGpt.Create(seed: 3), new ByteTokenizer(), ensembleSize: 2) { HeadStats = [new(1, 1, 10), new(2, 2, 10)] };

        // z = (s − m) / σ: head 0 (1, 2) − 1 → (0, 1); head 1 (3, 2) − 2, / 2 → (0.5, 0).
        Close([0, 0.5, 1, 0], model.Standardized(F([1, 3, 2, 2], 2, 2)));
    }

    [Theory]
    [InlineData(0.0, 0.25, 0.5)]
    [InlineData(1.0, -0.10355339, -0.20710678)]   // mean − std: std of (0, 0.5) is 0.5/√2 = 0.35355339, of (1, 0) is 1/√2
    [InlineData(0.5, 0.07322330, 0.14644661)]
    public void The_penalised_score_is_the_mean_less_lambda_times_the_std_of_the_heads(double lambda, double first, double second)
    {
        using var scope = NewDisposeScope();

        Close([first, second], RewardModel.Penalize(F([0, 0.5f, 1, 0], 2, 2), lambda), 1e-6);
    }

    [Fact]
    public void An_ensemble_scores_the_mean_of_its_standardised_heads_and_penalises_their_spread()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var model = new RewardModel(TinyGpt.Create(seed: 4), new ByteTokenizer(), ensembleSize: 3) { HeadStats = [new(0.1, 0.5, 3), new(-0.2, 2, 3), new(0, 1, 3)] };
        model.eval();
        var batch = TextBatch.FromText(model.Tokenizer, Pairs, maxLength: 64);
        var heads = model.ScoreHeads(batch).to_type(ScalarType.Float64).data<double>().ToArray();   // (3, 3) row-major

        for (var row = 0; row < Pairs.Length; row++)
        {
            var z = Enumerable.Range(0, 3).Select(k => (heads[(row * 3) + k] - model.HeadStats[k].Mean) / model.HeadStats[k].Std).ToArray();
            var mean = z.Average();
            var std = Math.Sqrt(z.Sum(v => (v - mean) * (v - mean)) / 2);
            Close(mean, model.Score(batch)[row], 1e-5);
            Close(std, model.Uncertainty(batch)[row], 1e-5);
            Close(mean - (0.7 * std), model.PenalizedScore(batch, 0.7)[row], 1e-5);
        }
    }

    [Fact]
    public void The_mean_head_scores_exactly_what_the_ensemble_does()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var trunk = TinyGpt.Create(seed: 8);
        var ensemble = new RewardModel(trunk, new ByteTokenizer(), ensembleSize: 4) { HeadStats = [new(0.3, 0.5, 1), new(-1, 2, 1), new(0, 1, 1), new(2, 4, 1)] };
        var single = new RewardModel(trunk, new ByteTokenizer());
        var mean = ensemble.MeanHead();
        single.Head.Weight.copy_(mean.Weight);
        single.Head.Bias.copy_(mean.Bias);
        var batch = TextBatch.FromText(ensemble.Tokenizer, Pairs, maxLength: 64);

        Close(ensemble.Score(batch).to_type(ScalarType.Float64).data<double>().ToArray(), single.Score(batch), 1e-5);
    }

    [Fact]
    public void A_single_head_cannot_be_penalised_and_has_no_spread()
    {
        using var scope = NewDisposeScope();
        var model = new RewardModel(TinyGpt.Create(seed: 2), new ByteTokenizer());
        var batch = TextBatch.FromText(model.Tokenizer, Pairs, maxLength: 64);

        Assert.Throws<InvalidOperationException>(() => model.PenalizedScore(batch, 0.5));
        Close([0, 0, 0], model.Uncertainty(batch));
        Assert.Same(model.Head, model.MeanHead());
    }

    [Fact]
    public void An_ensemble_saves_and_loads_its_heads_and_their_stats()
    {
        using var scope = NewDisposeScope();
        var model = new RewardModel(TinyGpt.Create(seed: 5), new ByteTokenizer(), ensembleSize: 3)
        {
            Stats = new RewardStats(0.1, 0.9, 3),
            HeadStats = [new(0.5, 1.5, 3), new(-0.5, 0.5, 3), new(0, 2, 3)],
        };
        var before = model.ScoreTexts(Pairs);

        model.Save(_folder);
        var loaded = RewardModel.Load(_folder);

        Assert.Equal(3, loaded.EnsembleSize);
        Assert.Equal(model.HeadStats, loaded.HeadStats);
        Assert.Equal(before, loaded.ScoreTexts(Pairs));
    }

    [Fact]
    public void Each_head_weights_its_groups_by_its_bootstrap_weights()
    {
        using var scope = NewDisposeScope();
        var third = Math.Log(3);
        // Pairs 0 and 1 are group 0, pair 2 is group 1. Gaps: head 0 (0, ln 3, −ln 3), head 1 (ln 3, ln 3, 0).
        var chosen = D([0, third, third, third, -third, 0], 3, 2);
        var rejected = zeros(3, 2, dtype: ScalarType.Float64);
        var group = tensor(new long[] { 0, 0, 1 });
        // −logsigmoid(0) = ln 2, −logsigmoid(ln 3) = ln 4/3, −logsigmoid(−ln 3) = ln 4.
        var head0 = (((Math.Log(2) + Math.Log(4.0 / 3)) / 2 * 1) + (Math.Log(4) * 2)) / 3;   // weights (1, 2)
        var head1 = Math.Log(2);                                                              // weights (0, 1): group 1 only

        Close((head0 + head1) / 2, RewardModelLoss.EnsembleLoss(chosen, rejected, group, D([1, 0, 2, 1], 2, 2)), 1e-9);
        // A head whose weights are all zero sits the batch out.
        Close(head0, RewardModelLoss.EnsembleLoss(chosen, rejected, group, D([1, 0, 2, 0], 2, 2)), 1e-9);
    }

    [Fact]
    public void Bootstrap_weights_are_poisson_one_and_differ_by_head()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => $"p{i}").ToList();
        var head0 = ids.Select(id => RewardVerb.BootstrapWeight(7, 0, id)).ToList();
        var head1 = ids.Select(id => RewardVerb.BootstrapWeight(7, 1, id)).ToList();

        Assert.Equal(head0, ids.Select(id => RewardVerb.BootstrapWeight(7, 0, id)));
        Assert.InRange(head0.Average(), 0.97, 1.03);                                          // E = 1
        Assert.InRange(head0.Count(w => w == 0) / (double)ids.Count, 0.358, 0.378);           // P(0) = e⁻¹ = 0.3679
        Assert.InRange(head0.Count(w => w == 2) / (double)ids.Count, 0.174, 0.194);           // P(2) = e⁻¹/2 = 0.1839
        Assert.True(head0.Zip(head1).Count(p => p.First != p.Second) > ids.Count / 2);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

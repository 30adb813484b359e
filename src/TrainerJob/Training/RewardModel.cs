using System.Text.Json;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Training;

/// <summary>Mean and standard deviation of a reward model's scores over its training completions (<c>reward_stats.json</c>).</summary>
public sealed record RewardStats(double Mean, double Std, long Count)
{
    public const string FileName = "reward_stats.json";

    /// <summary>No normalisation: mean 0, std 1.</summary>
    public static RewardStats Identity { get; } = new(0, 1, 0);
}

/// <summary>
/// The <c>score_head.json</c> of a reward-model folder; absent means <see cref="RewardPooling.Last"/> and one head.
/// <paramref name="Heads"/> &gt; 1 is an ensemble, with each head's score mean and std over the training completions.
/// </summary>
public sealed record RewardHeadConfig(RewardPooling Pooling, int Heads = 1, IReadOnlyList<RewardStats>? HeadStats = null)
{
    public const string FileName = "score_head.json";
}

/// <summary>
/// A GPT trunk with a scalar head named <c>score</c> read at the last real token (Ziegler et al.; InstructGPT),
/// initialised from an SFT policy. Parameter names are Hugging Face <c>GPT2ForSequenceClassification</c>'s:
/// <c>transformer.*</c> and <c>score.*</c>.
/// <para>Model folder: the trunk as a policy folder (<c>model.safetensors</c> with GPT-2 names, <c>config.json</c>,
/// <c>rlhf_tokenizer.json</c>; see <see cref="ModelIO"/>), plus <c>score.safetensors</c> (<c>weight</c> (1, C),
/// <c>bias</c> (1)), <see cref="RewardStats.FileName"/> and, for mean pooling, <see cref="RewardHeadConfig.FileName"/>.</para>
/// </summary>
public sealed class RewardModel : nn.Module
{
    public const string HeadName = "score";

    private readonly Gpt transformer;
    private readonly ScalarHead score;

    /// <summary>Wraps <paramref name="trunk"/> with a fresh head (K = <paramref name="ensembleSize"/> outputs) on the trunk's device.</summary>
    public RewardModel(Gpt trunk, ITokenizer tokenizer, RewardStats? stats = null, RewardPooling pooling = RewardPooling.Last, int ensembleSize = 1) : base(nameof(RewardModel))
    {
        ArgumentNullException.ThrowIfNull(trunk);
        transformer = trunk;
        score = new ScalarHead(trunk.Config.NEmbd, trunk.Device, ensembleSize);
        Tokenizer = tokenizer;
        Stats = stats ?? RewardStats.Identity;
        Pooling = pooling;
        HeadStats = [.. Enumerable.Repeat(RewardStats.Identity, ensembleSize)];
        RegisterComponents();
    }

    /// <summary>K: the heads of the ensemble (1 = a single reward model).</summary>
    public int EnsembleSize => score.Outputs;

    /// <summary>
    /// Each head's score mean and std over the training completions (identity until the trainer sets them): an ensemble's
    /// heads are standardised before they are combined, since Bradley–Terry fixes neither a head's offset nor its scale.
    /// </summary>
    public IReadOnlyList<RewardStats> HeadStats { get; set; }

    /// <summary>Where the head reads (saved with the model).</summary>
    public RewardPooling Pooling { get; }

    public Gpt Trunk => transformer;

    public ScalarHead Head => score;

    public ITokenizer Tokenizer { get; }

    /// <summary>Score statistics for <see cref="ScoreNormalized"/>; set by the trainer after fitting.</summary>
    public RewardStats Stats { get; set; }

    public Device Device => transformer.Device;

    /// <summary>Longest sequence the model can score (n_positions).</summary>
    public int MaxLength => transformer.Config.NPositions;

    /// <summary>A new reward model whose trunk is the policy in <paramref name="policyFolder"/> and whose head is fresh.</summary>
    public static RewardModel FromPolicy(string policyFolder, Device? device = null, RewardPooling pooling = RewardPooling.Last, int ensembleSize = 1)
    {
        var (model, tokenizer) = ModelIO.Load(policyFolder, device);
        return new RewardModel(model, tokenizer, pooling: pooling, ensembleSize: ensembleSize);
    }

    /// <summary>Loads a folder written by <see cref="Save"/>; <c>reward_stats.json</c> is optional (identity when absent).</summary>
    public static RewardModel Load(string folder, Device? device = null)
    {
        if (!ModelIO.HasHead(folder, HeadName))
        {
            throw new FileNotFoundException($"'{folder}' is not a reward model folder: it has no {HeadName}.safetensors.");
        }

        var statsPath = Path.Combine(folder, RewardStats.FileName);
        var stats = File.Exists(statsPath)
            ? JsonSerializer.Deserialize<RewardStats>(File.ReadAllText(statsPath), JsonDefaults.Options)
            : null;
        var headPath = Path.Combine(folder, RewardHeadConfig.FileName);
        var head = File.Exists(headPath)
            ? JsonSerializer.Deserialize<RewardHeadConfig>(File.ReadAllText(headPath), JsonDefaults.Options)!
            : new RewardHeadConfig(RewardPooling.Last);
        if (head.Heads < 1 || (head.Heads > 1 && head.HeadStats?.Count != head.Heads))
        {
            throw new InvalidDataException($"'{folder}/{RewardHeadConfig.FileName}' names {head.Heads} heads with {head.HeadStats?.Count ?? 0} head stats.");
        }

        var (trunk, tokenizer) = ModelIO.Load(folder, device);
        var model = new RewardModel(trunk, tokenizer, stats, head.Pooling, head.Heads);
        if (head.Heads > 1)
        {
            model.HeadStats = head.HeadStats!;
        }

        ModelIO.LoadHead(folder, HeadName, model.score);
        return model;
    }

    /// <summary>Writes the model folder (created if needed).</summary>
    public void Save(string folder)
    {
        ModelIO.Save(folder, transformer, Tokenizer);
        ModelIO.SaveHead(folder, HeadName, score);
        File.WriteAllText(Path.Combine(folder, RewardStats.FileName), JsonSerializer.Serialize(Stats, JsonDefaults.Options));
        if (Pooling != RewardPooling.Last || EnsembleSize > 1)
        {
            var head = new RewardHeadConfig(Pooling, EnsembleSize, EnsembleSize > 1 ? HeadStats : null);
            File.WriteAllText(Path.Combine(folder, RewardHeadConfig.FileName), JsonSerializer.Serialize(head, JsonDefaults.Options));
        }
    }

    /// <summary>
    /// Raw rewards r(x, y), (B): the head applied to the hidden state of each row's last real token, or with
    /// <see cref="RewardPooling.Mean"/> to the mean hidden state of its response tokens (the prompt's last token when
    /// the response is empty). An ensemble's score is the mean of its standardised heads (<see cref="Standardized"/>).
    /// </summary>
    public Tensor Score(TextBatch batch) => EnsembleSize == 1 ? score.forward(Pooled(batch)) : Standardized(ScoreHeads(batch)).mean([1]);

    /// <summary>Each head's raw reward, (B, K).</summary>
    public Tensor ScoreHeads(TextBatch batch)
    {
        var heads = score.forward(Pooled(batch));
        return EnsembleSize == 1 ? heads.unsqueeze(1) : heads;
    }

    /// <summary>(s_k − m_k) / σ_k with <see cref="HeadStats"/>: heads (B, K) → (B, K).</summary>
    public Tensor Standardized(Tensor heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        var means = tensor(HeadStats.Select(h => (float)h.Mean).ToArray(), device: heads.device);
        var stds = tensor(HeadStats.Select(h => (float)Math.Max(h.Std, 1e-8)).ToArray(), device: heads.device);
        return (heads - means) / stds;
    }

    /// <summary>
    /// The uncertainty-penalised score mean_k z_k − λ·std_k z_k over the standardised heads z (std with K − 1 in the
    /// denominator), (B), in <see cref="Score"/>'s units, so <see cref="Stats"/> normalises it as it does the score
    /// (Coste et al. 2023, "Reward Model Ensembles Help Mitigate Overoptimization"; Eisenstein et al. 2023). λ = 0 is
    /// <see cref="Score"/>; a single head has no spread to penalise.
    /// </summary>
    public Tensor PenalizedScore(TextBatch batch, double lambda)
    {
        if (lambda == 0)
        {
            return Score(batch);
        }

        if (EnsembleSize < 2)
        {
            throw new InvalidOperationException("An uncertainty penalty needs a reward ensemble of at least 2 heads.");
        }

        return Penalize(Standardized(ScoreHeads(batch)), lambda);
    }

    /// <summary>mean_k z − λ·std_k z (K − 1 in the denominator): standardised heads (B, K) → (B).</summary>
    public static Tensor Penalize(Tensor z, double lambda)
    {
        ArgumentNullException.ThrowIfNull(z);
        return z.mean([1]) - (lambda * z.std(1, unbiased: true));
    }

    /// <summary>Std over the standardised heads (K − 1 in the denominator), (B); zeros for a single head.</summary>
    public Tensor Uncertainty(TextBatch batch) =>
        EnsembleSize == 1 ? zeros(batch.InputIds.shape[0], device: Device) : Standardized(ScoreHeads(batch)).std(1, unbiased: true);

    /// <summary>
    /// The single head equivalent to <see cref="Score"/>: mean_k z_k = (mean_k w_k/σ_k)·h + mean_k (b_k − m_k)/σ_k, exactly;
    /// for one head, the head itself. PPO's critic starts from it.
    /// </summary>
    public ScalarHead MeanHead()
    {
        if (EnsembleSize == 1)
        {
            return score;
        }

        var head = new ScalarHead(transformer.Config.NEmbd, Device);
        using var noGrad = no_grad();
        var stds = tensor(HeadStats.Select(h => (float)Math.Max(h.Std, 1e-8)).ToArray(), device: Device);
        var means = tensor(HeadStats.Select(h => (float)h.Mean).ToArray(), device: Device);
        head.Weight.copy_((score.Weight / stds.unsqueeze(1)).mean([0], keepdim: true));
        head.Bias.copy_(((score.Bias - means) / stds).mean([0], keepdim: true));
        return head;
    }

    /// <summary>The hidden state each row's score is read from, (B, C).</summary>
    private Tensor Pooled(TextBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var hidden = transformer.Hidden(batch.InputIds, batch.AttentionMask);                  // (B, T, C)
        if (Pooling == RewardPooling.Mean)
        {
            // ResponseMask marks the states *before* response tokens (t ∈ [p−1, p+r−1)); the tokens themselves sit one column right.
            var tokens = nn.functional.pad(batch.ResponseMask, [1, 0]).narrow(1, 0, batch.ResponseMask.shape[1]); // (B, T)
            var last = nn.functional.one_hot(batch.LastTokenIndex, tokens.shape[1]).to_type(tokens.dtype);   // (B, T)
            var pooled = where(tokens.sum(1, keepdim: true) > 0, tokens, last);                                 // (B, T)
            return MaskedOps.MaskedMean(hidden, pooled.unsqueeze(2), 1);                                        // (B, C)
        }

        var index = batch.LastTokenIndex.view(-1, 1, 1).expand(-1, 1, hidden.shape[2]);       // (B, 1, C)
        return hidden.gather(1, index).squeeze(1);                                             // (B, C)
    }

    /// <summary>
    /// The one scoring convention of sampled completions (PPO rollout, evaluate), the same text the reward verb trains on
    /// (<c>RewardConfig.AppendEos</c>: a preference line holds the completion's text without EOS, scored with EOS
    /// appended): every response is scored as prompt + response + EOS, so a response that hit maxNewTokens without
    /// emitting EOS gets EOS appended and the head always reads an EOS position. Truncation is priced separately, by
    /// PPO's <c>missingEosPenalty</c>.
    /// </summary>
    /// <param name="prompts">Per row, the prompt tokens (at least one).</param>
    /// <param name="responses">Per row, the sampled tokens, EOS included when it was emitted.</param>
    /// <param name="endedWithEos">Per row, whether the sampler stopped at EOS.</param>
    public TextBatch SampledBatch(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses, IReadOnlyList<bool> endedWithEos)
    {
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(endedWithEos);
        var ended = responses.Select((ids, row) => endedWithEos[row] ? ids : [.. ids, Tokenizer.EosId]).ToList();
        return TextBatch.FromTokens(prompts, ended, Tokenizer.PadId, MaxLength, Device);
    }

    /// <summary>(r − mean) / std with <see cref="Stats"/>, (B): what PPO uses as the reward at EOS.</summary>
    public Tensor ScoreNormalized(TextBatch batch) => (Score(batch) - Stats.Mean) / Math.Max(Stats.Std, 1e-8);

    /// <summary>Scores text pairs in chunks of <paramref name="batchSize"/> without gradients (eval mode restored after).</summary>
    public double[] ScoreTexts(IReadOnlyList<(string Prompt, string Response)> pairs, int batchSize = 32, bool appendEos = true) =>
        [.. ScoreTexts(pairs, Score, batchSize, appendEos).Select(row => row[0])];

    /// <summary>Each head's raw score of each pair, [pair][head], without gradients.</summary>
    public double[][] ScoreHeadTexts(IReadOnlyList<(string Prompt, string Response)> pairs, int batchSize = 32, bool appendEos = true) =>
        ScoreTexts(pairs, ScoreHeads, batchSize, appendEos);

    private double[][] ScoreTexts(IReadOnlyList<(string Prompt, string Response)> pairs, Func<TextBatch, Tensor> scorer, int batchSize, bool appendEos)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var wasTraining = training;
        eval();
        try
        {
            var scores = new List<double[]>(pairs.Count);
            for (var start = 0; start < pairs.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var chunk = pairs.Skip(start).Take(batchSize).ToList();
                var batch = TextBatch.FromText(Tokenizer, chunk, MaxLength, appendEos, Device);
                var values = scorer(batch).to(ScalarType.Float64).cpu();
                var width = values.dim() == 1 ? 1 : (int)values.shape[1];
                var flat = values.data<double>().ToArray();
                scores.AddRange(Enumerable.Range(0, chunk.Count).Select(row => flat.AsSpan(row * width, width).ToArray()));
            }

            return [.. scores];
        }
        finally
        {
            train(wasTraining);
        }
    }
}

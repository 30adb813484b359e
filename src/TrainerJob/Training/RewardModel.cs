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

/// <summary>The <c>score_head.json</c> of a reward-model folder; absent means <see cref="RewardPooling.Last"/>.</summary>
public sealed record RewardHeadConfig(RewardPooling Pooling)
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

    /// <summary>Wraps <paramref name="trunk"/> with a fresh head on the trunk's device.</summary>
    public RewardModel(Gpt trunk, ITokenizer tokenizer, RewardStats? stats = null, RewardPooling pooling = RewardPooling.Last) : base(nameof(RewardModel))
    {
        ArgumentNullException.ThrowIfNull(trunk);
        transformer = trunk;
        score = new ScalarHead(trunk.Config.NEmbd, trunk.Device);
        Tokenizer = tokenizer;
        Stats = stats ?? RewardStats.Identity;
        Pooling = pooling;
        RegisterComponents();
    }

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
    public static RewardModel FromPolicy(string policyFolder, Device? device = null, RewardPooling pooling = RewardPooling.Last)
    {
        var (model, tokenizer) = ModelIO.Load(policyFolder, device);
        return new RewardModel(model, tokenizer, pooling: pooling);
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
        var pooling = File.Exists(headPath)
            ? JsonSerializer.Deserialize<RewardHeadConfig>(File.ReadAllText(headPath), JsonDefaults.Options)!.Pooling
            : RewardPooling.Last;
        var (trunk, tokenizer) = ModelIO.Load(folder, device);
        var model = new RewardModel(trunk, tokenizer, stats, pooling);
        ModelIO.LoadHead(folder, HeadName, model.score);
        return model;
    }

    /// <summary>Writes the model folder (created if needed).</summary>
    public void Save(string folder)
    {
        ModelIO.Save(folder, transformer, Tokenizer);
        ModelIO.SaveHead(folder, HeadName, score);
        File.WriteAllText(Path.Combine(folder, RewardStats.FileName), JsonSerializer.Serialize(Stats, JsonDefaults.Options));
        if (Pooling != RewardPooling.Last)
        {
            File.WriteAllText(Path.Combine(folder, RewardHeadConfig.FileName), JsonSerializer.Serialize(new RewardHeadConfig(Pooling), JsonDefaults.Options));
        }
    }

    /// <summary>
    /// Raw rewards r(x, y), (B): the head applied to the hidden state of each row's last real token, or with
    /// <see cref="RewardPooling.Mean"/> to the mean hidden state of its response tokens (the prompt's last token when
    /// the response is empty).
    /// </summary>
    public Tensor Score(TextBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var hidden = transformer.Hidden(batch.InputIds, batch.AttentionMask);                  // (B, T, C)
        if (Pooling == RewardPooling.Mean)
        {
            // ResponseMask marks the states *before* response tokens (t ∈ [p−1, p+r−1)); the tokens themselves sit one column right.
            var tokens = nn.functional.pad(batch.ResponseMask, [1, 0]).narrow(1, 0, batch.ResponseMask.shape[1]); // (B, T)
            var last = nn.functional.one_hot(batch.LastTokenIndex, tokens.shape[1]).to_type(tokens.dtype);   // (B, T)
            var pooled = where(tokens.sum(1, keepdim: true) > 0, tokens, last);                                 // (B, T)
            return score.forward(MaskedOps.MaskedMean(hidden, pooled.unsqueeze(2), 1));                         // (B, C) → (B)
        }

        var index = batch.LastTokenIndex.view(-1, 1, 1).expand(-1, 1, hidden.shape[2]);       // (B, 1, C)
        return score.forward(hidden.gather(1, index).squeeze(1));                              // (B)
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
    public double[] ScoreTexts(IReadOnlyList<(string Prompt, string Response)> pairs, int batchSize = 32, bool appendEos = true)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var wasTraining = training;
        eval();
        try
        {
            var scores = new List<double>(pairs.Count);
            for (var start = 0; start < pairs.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var chunk = pairs.Skip(start).Take(batchSize).ToList();
                var batch = TextBatch.FromText(Tokenizer, chunk, MaxLength, appendEos, Device);
                scores.AddRange(Score(batch).to(ScalarType.Float64).cpu().data<double>().ToArray());
            }

            return [.. scores];
        }
        finally
        {
            train(wasTraining);
        }
    }
}

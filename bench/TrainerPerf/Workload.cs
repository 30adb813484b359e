using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.TrainerJob.Algorithms;
using Rlhf.TrainerJob.Model;
using Rlhf.TrainerJob.Tokenizers;
using Rlhf.TrainerJob.Verbs;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>
/// What is measured: the model shape, the SFT batch, the PPO settings and the data, from a preset plus the
/// command-line overrides.
/// <list type="bullet">
/// <item><c>small</c>: the trainer's defaults (<see cref="SftModelParams"/>, <see cref="SftConfig"/>, <see cref="PpoConfig"/>).</item>
/// <item><c>demo</c>: <c>configs/demo.json</c> — <c>basePolicy.sft</c> (model, batchSize, blockSize, learningRate) and <c>policy.ppo</c>.</item>
/// <item><c>gpt2</c>: the 124M GPT-2 shape with random weights and the GPT-2 BPE tokenizer; SFT 4 × 128 tokens, PPO 4 rollouts × 32 tokens, 1 epoch.</item>
/// </list>
/// </summary>
public sealed record Workload(
    string Preset,
    GptConfig Model,
    ITokenizer Tokenizer,
    int SftBatch,
    int SftBlock,
    double SftLearningRate,
    PpoConfig Ppo,
    int GenTokens,
    string CorpusPath,
    string PromptsPath)
{
    /// <summary>Corpus characters tokenised for SFT windows (plenty for random windows, quick to encode).</summary>
    private const int CorpusChars = 1_000_000;

    /// <summary>Prompt tokens kept in front of a generation.</summary>
    private const int MinPromptTokens = 16;

    public static Workload Resolve(PerfOptions options, string repoRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (shape, sft, ppo) = options.Preset switch
        {
            "small" => (new SftModelParams(), new SftConfig(), new PpoConfig()),
            "demo" => Demo(Path.Combine(repoRoot, "configs", "demo.json")),
            "gpt2" => (
                new SftModelParams { NLayer = 12, NHead = 12, NEmbd = 768, NPositions = 1024, Tokenizer = Gpt2BpeTokenizer.TypeName },
                new SftConfig { BatchSize = 4, BlockSize = 128, LearningRate = 6e-4 },
                new PpoConfig { RolloutBatchSize = 4, MaxNewTokens = 32, PpoEpochs = 1 }),
            _ => throw new ArgumentException($"Unknown preset '{options.Preset}' (small | demo | gpt2)."),
        };

        var data = Directory.Exists(Path.Combine(repoRoot, "data", "full")) ? Path.Combine(repoRoot, "data", "full") : Path.Combine(repoRoot, "data", "tiny");
        var corpusPath = Path.Combine(data, "corpus.txt");
        var tokenizer = TokenizerFactory.ForCorpus(options.Tokenizer ?? shape.Tokenizer, ReadCorpus(corpusPath), shape.VocabWords);
        var model = new GptConfig(
            tokenizer.VocabSize,
            options.NPositions ?? shape.NPositions,
            options.NEmbd ?? shape.NEmbd,
            options.NLayer ?? shape.NLayer,
            options.NHead ?? shape.NHead).Validate();
        ppo = ppo with
        {
            RolloutBatchSize = options.PpoBatch ?? ppo.RolloutBatchSize,
            MaxNewTokens = options.PpoNewTokens ?? ppo.MaxNewTokens,
            PpoEpochs = options.PpoEpochs ?? ppo.PpoEpochs,
            NumMiniBatches = 1,
            Iterations = options.PpoIterations,
        };
        if (ppo.Iterations < 2)
        {
            throw new ArgumentException("--ppo-iters must be at least 2 (one warm-up, one timed).");
        }

        var problems = ppo.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems));
        }

        var block = options.Block ?? sft.BlockSize;
        if (block > model.NPositions)
        {
            throw new ArgumentException($"--block {block} exceeds n_positions {model.NPositions}.");
        }

        return new Workload(
            options.Preset,
            model,
            tokenizer,
            options.Batch ?? sft.BatchSize,
            block,
            sft.LearningRate,
            ppo,
            Math.Min(options.GenTokens, model.NPositions - MinPromptTokens),
            corpusPath,
            Path.Combine(data, "prompts.train.jsonl"));
    }

    /// <summary>The head of the corpus used for SFT windows (and for the <c>words</c> tokenizer's vocabulary).</summary>
    public string ReadCorpus() => ReadCorpus(CorpusPath);

    private static string ReadCorpus(string path)
    {
        var text = File.ReadAllText(path);
        return text.Length <= CorpusChars ? text : text[..CorpusChars];
    }

    /// <summary>The first <paramref name="count"/> prompts of the training prompt file (<c>{"id","prompt"}</c> lines).</summary>
    public IReadOnlyList<string> ReadPrompts(int count) =>
        [.. File.ReadLines(PromptsPath)
            .Where(line => line.Length > 0)
            .Take(count)
            .Select(line => JsonNode.Parse(line)?["prompt"]?.GetValue<string>() ?? throw new InvalidDataException($"{PromptsPath}: a line lacks \"prompt\"."))];

    /// <summary>Reads the demo run spec (JSON with comments): the SFT model and batch, and the PPO params.</summary>
    private static (SftModelParams Shape, SftConfig Sft, PpoConfig Ppo) Demo(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            ?? throw new InvalidDataException($"{path} is empty.");
        var sft = root["basePolicy"]?["sft"] ?? throw new InvalidDataException($"{path} lacks basePolicy.sft.");
        var model = sft["model"] ?? throw new InvalidDataException($"{path} lacks basePolicy.sft.model.");
        var defaults = new SftModelParams();
        var shape = new SftModelParams
        {
            NLayer = Int(model, "nLayer", "n_layer") ?? defaults.NLayer,
            NHead = Int(model, "nHead", "n_head") ?? defaults.NHead,
            NEmbd = Int(model, "nEmbd", "n_embd") ?? defaults.NEmbd,
            NPositions = Int(model, "nPositions", "n_positions") ?? defaults.NPositions,
            Tokenizer = model["tokenizer"]?.GetValue<string>() ?? defaults.Tokenizer,
            VocabWords = Int(model, "vocabWords", "vocab_words") ?? defaults.VocabWords,
        };
        var sftDefaults = new SftConfig();
        var config = new SftConfig
        {
            BatchSize = sft["batchSize"]?.GetValue<int>() ?? sftDefaults.BatchSize,
            BlockSize = sft["blockSize"]?.GetValue<int>() ?? sftDefaults.BlockSize,
            LearningRate = sft["learningRate"]?.GetValue<double>() ?? sftDefaults.LearningRate,
        };
        var ppo = TrainerParams.Read<PpoConfig>(root["policy"]?["ppo"]?.DeepClone().AsObject());
        return (shape, config, ppo);
    }

    /// <summary>The run spec's camelCase key, or the HF snake_case key the sft verb binds.</summary>
    private static int? Int(JsonNode node, string camel, string snake) =>
        (node[camel] ?? node[snake])?.GetValue<int>();
}

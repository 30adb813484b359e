using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.TrainerJob.Model;

/// <summary>
/// Shape of a GPT-2-style decoder. Reads and writes the Hugging Face <c>config.json</c>
/// keys, so a folder saved here loads with <c>GPT2LMHeadModel.from_pretrained</c> and an HF
/// GPT-2 folder loads here.
/// </summary>
/// <param name="VocabSize">Number of token ids (embedding rows; the LM head is tied to them).</param>
/// <param name="NPositions">Context length: number of learned position embeddings.</param>
/// <param name="NEmbd">Width of the residual stream.</param>
/// <param name="NLayer">Number of transformer blocks.</param>
/// <param name="NHead">Attention heads per block; must divide <paramref name="NEmbd"/>.</param>
/// <param name="LayerNormEpsilon">LayerNorm epsilon (GPT-2: 1e-5).</param>
/// <param name="Dropout">Dropout on embeddings, attention and residual branches (0 = off).</param>
public sealed record GptConfig(
    int VocabSize,
    int NPositions,
    int NEmbd,
    int NLayer,
    int NHead,
    double LayerNormEpsilon = 1e-5,
    double Dropout = 0.0)
{
    /// <summary>The file name Hugging Face uses for a model's configuration.</summary>
    public const string FileName = "config.json";

    /// <summary>The original 124M-parameter GPT-2.</summary>
    public static GptConfig Gpt2Small { get; } = new(50257, 1024, 768, 12, 12);

    /// <summary>Width of one attention head.</summary>
    public int HeadDim => NEmbd / NHead;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public GptConfig Validate()
    {
        Require(VocabSize > 0, $"vocab_size must be positive (got {VocabSize}).");
        Require(NPositions > 0, $"n_positions must be positive (got {NPositions}).");
        Require(NEmbd > 0, $"n_embd must be positive (got {NEmbd}).");
        Require(NLayer > 0, $"n_layer must be positive (got {NLayer}).");
        Require(NHead > 0, $"n_head must be positive (got {NHead}).");
        Require(NEmbd % NHead == 0, $"n_embd ({NEmbd}) must be divisible by n_head ({NHead}).");
        Require(LayerNormEpsilon > 0, $"layer_norm_epsilon must be positive (got {LayerNormEpsilon}).");
        Require(Dropout is >= 0 and < 1, $"dropout must be in [0, 1) (got {Dropout}).");
        return this;
    }

    /// <summary>The HF GPT-2 <c>config.json</c> text for this configuration.</summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["model_type"] = "gpt2",
            ["architectures"] = new JsonArray("GPT2LMHeadModel"),
            ["vocab_size"] = VocabSize,
            ["n_positions"] = NPositions,
            ["n_ctx"] = NPositions,
            ["n_embd"] = NEmbd,
            ["n_layer"] = NLayer,
            ["n_head"] = NHead,
            ["layer_norm_epsilon"] = LayerNormEpsilon,
            ["activation_function"] = "gelu_new",
            ["resid_pdrop"] = Dropout,
            ["embd_pdrop"] = Dropout,
            ["attn_pdrop"] = Dropout,
            ["initializer_range"] = 0.02,
            ["tie_word_embeddings"] = true,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Parses an HF GPT-2 <c>config.json</c>; unknown keys are ignored.</summary>
    public static GptConfig FromJson(string json)
    {
        var root = JsonNode.Parse(json)?.AsObject()
            ?? throw new FormatException("config.json is not a JSON object.");
        var modelType = root["model_type"]?.GetValue<string>();
        if (modelType is not null && modelType != "gpt2")
        {
            throw new FormatException($"config.json has model_type '{modelType}'; only 'gpt2' is supported.");
        }

        var activation = root["activation_function"]?.GetValue<string>();
        if (activation is not null && activation != "gelu_new")
        {
            throw new FormatException($"config.json has activation_function '{activation}'; only 'gelu_new' is supported.");
        }

        var dropout = root["resid_pdrop"]?.GetValue<double>() ?? 0.0;
        return new GptConfig(
            VocabSize: RequiredInt(root, "vocab_size"),
            NPositions: root["n_positions"] is null ? RequiredInt(root, "n_ctx") : RequiredInt(root, "n_positions"),
            NEmbd: RequiredInt(root, "n_embd"),
            NLayer: RequiredInt(root, "n_layer"),
            NHead: RequiredInt(root, "n_head"),
            LayerNormEpsilon: root["layer_norm_epsilon"]?.GetValue<double>() ?? 1e-5,
            Dropout: dropout).Validate();
    }

    /// <summary>Writes <c>config.json</c> into <paramref name="directory"/>.</summary>
    public void Save(string directory) => File.WriteAllText(Path.Combine(directory, FileName), ToJson());

    /// <summary>Reads <c>config.json</c> from <paramref name="directory"/>.</summary>
    public static GptConfig Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No {FileName} in model folder '{directory}'.", path);
        }

        return FromJson(File.ReadAllText(path));
    }

    private static int RequiredInt(JsonObject root, string key) =>
        root[key]?.GetValue<int>() ?? throw new FormatException($"config.json lacks required key '{key}'.");

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"Invalid GPT config: {message}");
        }
    }
}

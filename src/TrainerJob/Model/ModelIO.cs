using Rlhf.TrainerJob.Tokenizers;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Model;

/// <summary>A model folder's contents once loaded.</summary>
public sealed record LoadedModel(Gpt Model, ITokenizer Tokenizer);

/// <summary>
/// Model folders: <c>model.safetensors</c> (raw GPT-2 keys, as the HF hub's <c>gpt2/model.safetensors</c>),
/// <c>config.json</c> (HF GPT-2 keys) and <c>rlhf_tokenizer.json</c>. Extra heads (reward, value) go
/// to their own file <c>{name}.safetensors</c> beside it (keys <c>weight</c>, <c>bias</c>), so
/// <c>model.safetensors</c> stays loadable by <c>GPT2Model</c>/<c>GPT2LMHeadModel</c> as is.
/// </summary>
public static class ModelIO
{
    public const string WeightsFileName = "model.safetensors";
    private const string HfPrefix = "transformer.";

    /// <summary>Writes weights, config and tokenizer descriptor into <paramref name="directory"/> (created if needed).</summary>
    public static void Save(string directory, Gpt model, ITokenizer tokenizer)
    {
        Directory.CreateDirectory(directory);
        model.Config.Save(directory);
        SafetensorsWriter.Write(Path.Combine(directory, WeightsFileName), model.state_dict());
        TokenizerFactory.Save(tokenizer, Path.Combine(directory, TokenizerFactory.DescriptorFileName));
    }

    /// <summary>
    /// Loads a folder written by <see cref="Save"/> or a Hugging Face GPT-2 folder (<c>config.json</c> +
    /// <c>model.safetensors</c>; without our descriptor, a 50257-id vocabulary means GPT-2 BPE).
    /// </summary>
    public static LoadedModel Load(string directory, Device? device = null)
    {
        var config = GptConfig.Load(directory);
        var tokenizer = LoadTokenizer(directory, config);
        if (tokenizer.VocabSize > config.VocabSize)
        {
            throw new InvalidDataException(
                $"Tokenizer '{tokenizer.Name}' has {tokenizer.VocabSize} ids but the model's vocab_size is {config.VocabSize}.");
        }

        var model = new Gpt(config, device);
        LoadWeights(model, Path.Combine(directory, WeightsFileName));
        return new LoadedModel(model, tokenizer);
    }

    /// <summary>
    /// Copies a GPT-2 safetensors file into <paramref name="model"/>. Accepts raw keys (<c>h.0.attn.c_attn.weight</c>)
    /// and <c>transformer.</c>-prefixed ones (GPT2LMHeadModel); ignores the <c>attn.bias</c>/<c>attn.masked_bias</c>
    /// buffers and <c>lm_head.weight</c> (tied to <c>wte</c>). Throws naming any missing, unexpected or mis-shaped key.
    /// </summary>
    public static void LoadWeights(Gpt model, string path)
    {
        var checkpoint = ReadFile(path);
        var normalized = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in checkpoint)
        {
            var name = key.StartsWith(HfPrefix, StringComparison.Ordinal) ? key[HfPrefix.Length..] : key;
            if (name == "lm_head.weight" || name.EndsWith(".attn.bias", StringComparison.Ordinal)
                || name.EndsWith(".attn.masked_bias", StringComparison.Ordinal))
            {
                continue;
            }

            normalized[name] = tensor;
        }

        CopyInto(model, normalized, path, $" (config: {model.Config})");
    }

    /// <summary>Saves a head (e.g. a <see cref="ScalarHead"/>) as <c>{name}.safetensors</c> in <paramref name="directory"/>.</summary>
    public static void SaveHead(string directory, string name, nn.Module head)
    {
        Directory.CreateDirectory(directory);
        SafetensorsWriter.Write(HeadPath(directory, name), head.state_dict());
    }

    /// <summary>True when <paramref name="directory"/> holds <c>{name}.safetensors</c>.</summary>
    public static bool HasHead(string directory, string name) => File.Exists(HeadPath(directory, name));

    /// <summary>Loads <c>{name}.safetensors</c> into <paramref name="head"/>; keys and shapes must match exactly.</summary>
    public static void LoadHead(string directory, string name, nn.Module head)
    {
        var path = HeadPath(directory, name);
        CopyInto(head, ReadFile(path), path, string.Empty);
    }

    private static string HeadPath(string directory, string name) => Path.Combine(directory, $"{name}.safetensors");

    private static ITokenizer LoadTokenizer(string directory, GptConfig config)
    {
        var descriptor = Path.Combine(directory, TokenizerFactory.DescriptorFileName);
        if (File.Exists(descriptor))
        {
            return TokenizerFactory.Load(descriptor);
        }

        return config.VocabSize == GptConfig.Gpt2Small.VocabSize
            ? new Gpt2BpeTokenizer()
            : throw new FileNotFoundException(
                $"Model folder '{directory}' has no {TokenizerFactory.DescriptorFileName} and vocab_size {config.VocabSize} is not GPT-2's.",
                descriptor);
    }

    private static Dictionary<string, Tensor> ReadFile(string path) =>
        File.Exists(path)
            ? Safetensors.LoadStateDict(path)
            : throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);

    private static void CopyInto(nn.Module module, Dictionary<string, Tensor> source, string path, string context)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"'{path}' lacks {missing.Count} key(s): {Describe(missing, target)}{context}.");
        }

        var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
        if (unexpected.Count > 0)
        {
            throw new InvalidDataException(
                $"'{path}' has {unexpected.Count} unexpected key(s): {Describe(unexpected, source)}{context}.");
        }

        foreach (var (key, tensor) in target)
        {
            if (!tensor.shape.SequenceEqual(source[key].shape))
            {
                throw new InvalidDataException(
                    $"'{path}': '{key}' has shape [{string.Join(", ", source[key].shape)}] but the model expects " +
                    $"[{string.Join(", ", tensor.shape)}]{context}.");
            }
        }

        using (no_grad())
        {
            foreach (var (key, tensor) in target)
            {
                tensor.copy_(source[key]);
            }
        }

        foreach (var tensor in source.Values)
        {
            tensor.Dispose();
        }
    }

    private static string Describe(List<string> keys, Dictionary<string, Tensor> shapes) =>
        string.Join(", ", keys.Take(5).Select(k => $"'{k}' [{string.Join(", ", shapes[k].shape)}]"))
        + (keys.Count > 5 ? ", ..." : string.Empty);
}

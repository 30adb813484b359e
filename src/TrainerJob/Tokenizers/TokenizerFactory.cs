using System.Text.Json.Nodes;

namespace Rlhf.TrainerJob.Tokenizers;

/// <summary>
/// Creates tokenizers by name and reads/writes the small descriptor file
/// (<c>{"type":"byte"}</c> or <c>{"type":"gpt2"}</c>) kept in every model folder.
/// </summary>
public static class TokenizerFactory
{
    /// <summary>
    /// Descriptor file name inside a model folder. Not <c>tokenizer.json</c>: Hugging Face folders
    /// use that name for the full tokenizer, and ours must not shadow it.
    /// </summary>
    public const string DescriptorFileName = "rlhf_tokenizer.json";

    /// <summary>Known tokenizer names.</summary>
    public static IReadOnlyList<string> Names { get; } = [ByteTokenizer.TypeName, Gpt2BpeTokenizer.TypeName];

    /// <summary><c>byte</c> → <see cref="ByteTokenizer"/>, <c>gpt2</c> → <see cref="Gpt2BpeTokenizer"/>.</summary>
    public static ITokenizer FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        ByteTokenizer.TypeName => new ByteTokenizer(),
        Gpt2BpeTokenizer.TypeName => new Gpt2BpeTokenizer(),
        _ => throw new ArgumentException($"Unknown tokenizer '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Reads a descriptor file written by <see cref="Save"/>.</summary>
    public static ITokenizer Load(string descriptorPath)
    {
        if (!File.Exists(descriptorPath))
        {
            throw new FileNotFoundException($"Tokenizer descriptor '{descriptorPath}' does not exist.", descriptorPath);
        }

        var type = JsonNode.Parse(File.ReadAllText(descriptorPath))?["type"]?.GetValue<string>()
            ?? throw new FormatException($"Tokenizer descriptor '{descriptorPath}' lacks a string \"type\".");
        return FromName(type);
    }

    /// <summary>Writes <c>{"type": name}</c> to <paramref name="descriptorPath"/>.</summary>
    public static void Save(ITokenizer tokenizer, string descriptorPath) =>
        File.WriteAllText(descriptorPath, new JsonObject { ["type"] = tokenizer.Name }.ToJsonString());
}

using System.Text.Json.Nodes;

namespace Rlhf.TrainerJob.Tokenizers;

/// <summary>
/// Creates tokenizers by name and reads/writes the small descriptor file
/// (<c>{"type":"byte"}</c>, <c>{"type":"gpt2"}</c>, or <c>{"type":"words","words":[…]}</c> with the vocabulary)
/// kept in every model folder.
/// </summary>
public static class TokenizerFactory
{
    /// <summary>
    /// Descriptor file name inside a model folder. Not <c>tokenizer.json</c>: Hugging Face folders
    /// use that name for the full tokenizer, and ours must not shadow it.
    /// </summary>
    public const string DescriptorFileName = "rlhf_tokenizer.json";

    /// <summary>Known tokenizer names.</summary>
    public static IReadOnlyList<string> Names => TokenizerNames.All;

    /// <summary><c>byte</c> → <see cref="ByteTokenizer"/>, <c>gpt2</c> → <see cref="Gpt2BpeTokenizer"/>.</summary>
    public static ITokenizer FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        ByteTokenizer.TypeName => new ByteTokenizer(),
        Gpt2BpeTokenizer.TypeName => new Gpt2BpeTokenizer(),
        WordVocabTokenizer.TypeName => throw new ArgumentException(
            $"The '{WordVocabTokenizer.TypeName}' tokenizer has a vocabulary built from a corpus; use {nameof(ForCorpus)} or load it from a model folder.", nameof(name)),
        _ => throw new ArgumentException($"Unknown tokenizer '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>
    /// A tokenizer for a model trained from scratch on <paramref name="corpus"/>: <c>words</c> builds its vocabulary of
    /// up to <paramref name="vocabWords"/> words from it; the others ignore the corpus.
    /// </summary>
    public static ITokenizer ForCorpus(string name, string corpus, int vocabWords) =>
        string.Equals(name.Trim(), WordVocabTokenizer.TypeName, StringComparison.OrdinalIgnoreCase) ? WordVocabTokenizer.Build(corpus, vocabWords) : FromName(name);

    /// <summary>Reads a descriptor file written by <see cref="Save"/>.</summary>
    public static ITokenizer Load(string descriptorPath)
    {
        if (!File.Exists(descriptorPath))
        {
            throw new FileNotFoundException($"Tokenizer descriptor '{descriptorPath}' does not exist.", descriptorPath);
        }

        var descriptor = JsonNode.Parse(File.ReadAllText(descriptorPath));
        var type = descriptor?["type"]?.GetValue<string>()
            ?? throw new FormatException($"Tokenizer descriptor '{descriptorPath}' lacks a string \"type\".");
        if (type != WordVocabTokenizer.TypeName)
        {
            return FromName(type);
        }

        var words = descriptor?["words"] as JsonArray
            ?? throw new FormatException($"Tokenizer descriptor '{descriptorPath}' of type {type} lacks its \"words\" array.");
        try
        {
            return new WordVocabTokenizer([.. words.Select(w => w?.GetValue<string>()!)]);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new FormatException($"Tokenizer descriptor '{descriptorPath}': {e.Message}", e);
        }
    }

    /// <summary>Writes <c>{"type": name}</c> (plus the vocabulary of a <c>words</c> tokenizer) to <paramref name="descriptorPath"/>.</summary>
    public static void Save(ITokenizer tokenizer, string descriptorPath)
    {
        var descriptor = new JsonObject { ["type"] = tokenizer.Name };
        if (tokenizer is WordVocabTokenizer wordTokenizer)
        {
            descriptor["words"] = new JsonArray([.. wordTokenizer.Words.Select(w => (JsonNode)JsonValue.Create(w))]);
        }

        File.WriteAllText(descriptorPath, descriptor.ToJsonString());
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Core.Runs;

/// <summary>The rules that relate two fields of a run spec; they read the document leniently (a field of the wrong type is reported by the structural pass).</summary>
internal static class CrossFieldRules
{
    public static void Check(JsonObject root, List<SpecError> errors)
    {
        var source = Text(root, "basePolicy", "source") ?? "train";
        if (source == "checkpoint" && Text(root, "basePolicy", "checkpoint") is null)
        {
            errors.Add(new SpecError("$.basePolicy.checkpoint", "Required when basePolicy.source is checkpoint: the model folder in the store."));
        }

        if (source == "train" && Get(root, "datasets") is JsonObject datasets && datasets.TryGetPropertyValue("corpus", out var corpus) && corpus is null)
        {
            errors.Add(new SpecError("$.datasets.corpus", "Required when basePolicy.source is train: the SFT corpus."));
        }

        var promptLimit = Integer(root, "sampling", "promptLimit") ?? 0;
        var shards = Integer(root, "sampling", "shards") ?? 1;
        if (promptLimit > 0 && shards > promptLimit)
        {
            errors.Add(new SpecError("$.sampling.shards", $"{shards} shards for {promptLimit} prompts: some shards would be empty; use at most sampling.promptLimit shards."));
        }
    }

    private static JsonNode? Get(JsonObject root, params string[] keys)
    {
        JsonNode? node = root;
        foreach (var key in keys)
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(key, out var child) ? child : null;
        }

        return node;
    }

    private static string? Text(JsonObject root, params string[] keys) =>
        Get(root, keys) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static long? Integer(JsonObject root, params string[] keys) =>
        SpecNumbers.Of(Get(root, keys)) is { } n && n == Math.Floor(n) && Math.Abs(n) <= long.MaxValue ? (long)n : null;
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rlhf.Core.Json;

/// <summary>The one set of JSON options used for every document the pipeline reads or writes.</summary>
public static class JsonDefaults
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>
    /// How documents from outside are parsed (run specs, request bodies): comments and trailing commas allowed, a property
    /// name twice in one object refused (<see cref="JsonException"/> naming it), since readers disagree on which one wins.
    /// </summary>
    public static JsonDocumentOptions StrictDocument { get; } = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        AllowDuplicateProperties = false,
    };

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

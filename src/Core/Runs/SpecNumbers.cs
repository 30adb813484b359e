using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Core.Runs;

/// <summary>
/// Numbers of a spec document, whether parsed (<see cref="JsonElement"/>-backed) or built in code
/// (<c>JsonValue.Create(3)</c> holds an <see cref="int"/> and throws on <c>GetValue&lt;double&gt;()</c>): read through the
/// JSON text, which is the same for both.
/// </summary>
internal static class SpecNumbers
{
    /// <summary>The value of a JSON number node, or null when the node is not a number.</summary>
    public static double? Of(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;
}

using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Activities.Reuse;

/// <summary>
/// One text per JSON value, whatever order its properties came in and however its numbers were written: properties in
/// ordinal order, integers as integers, other numbers in their shortest round-trip form (<c>1e-4</c> and <c>0.0001</c> are
/// the same), no whitespace. What the reuse key hashes.
/// </summary>
public static class CanonicalJson
{
    public static string Write(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="Write"/>'s text, cut to <paramref name="hexChars"/> characters.</summary>
    public static string Hash(JsonNode? node, int hexChars = 32) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Write(node)))).ToLowerInvariant()[..hexChars];

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                WriteValue(writer, node.AsValue());
                break;
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonValue value)
    {
        var element = JsonSerializer.SerializeToElement(value);
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetInt64(out var integer):
                writer.WriteNumberValue(integer);
                break;
            case JsonValueKind.Number:
                var number = element.GetDouble();
                writer.WriteRawValue(number == Math.Floor(number) && Math.Abs(number) < 1e15
                    ? ((long)number).ToString(CultureInfo.InvariantCulture)
                    : number.ToString("R", CultureInfo.InvariantCulture));
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}

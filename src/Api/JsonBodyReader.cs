using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Rlhf.Api;

/// <summary>Reads a JSON request body under a size limit, turning each failure into a problem response.</summary>
public static class JsonBodyReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The parsed document, or the problem to return (413 over the limit, 400 for an empty body or invalid JSON).</summary>
    public static async Task<(JsonNode? Node, IResult? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken = default)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(request.ContentLength.Value, maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, TooLarge(buffer.Length + read, maxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, ApiProblem.BadRequest("Missing request body", [new ApiError("$", "The request body is empty; send the run spec as JSON.")]));
        }

        try
        {
            return (JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: DocumentOptions), null);
        }
        catch (JsonException e)
        {
            // System.Text.Json counts lines and bytes from 0; people count from 1.
            var line = (e.LineNumber ?? 0) + 1;
            var position = (e.BytePositionInLine ?? 0) + 1;
            var message = $"Invalid JSON at line {line}, position {position}: {FirstSentence(e.Message)}";
            return (null, ApiProblem.BadRequest("Malformed JSON", [new ApiError("$", message)]));
        }
    }

    private static IResult TooLarge(long bytes, long maxBytes) =>
        ApiProblem.TooLarge($"The body has at least {bytes} bytes; the limit is {maxBytes} bytes.");

    /// <summary>The parser's message without its trailing "Path: ... | LineNumber: ..." part, which we report ourselves (1-based).</summary>
    private static string FirstSentence(string message)
    {
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message;
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Rlhf.Core.Json;

namespace Rlhf.Api;

/// <summary>
/// Reads a JSON request body under a size limit, turning each failure into a problem response: 415 unless the body is
/// declared <c>application/json</c> (UTF-8), 413 over the limit, 400 for an empty body, bytes that are not UTF-8, invalid
/// JSON or a property name given twice in one object (which reader would win is not something a client should guess).
/// </summary>
public static class JsonBodyReader
{
    /// <summary>The parsed document, or the problem to return.</summary>
    public static async Task<(JsonNode? Node, IResult? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ContentTypeError(request.ContentType) is { } unsupported)
        {
            return (null, ApiProblem.UnsupportedMediaType(unsupported));
        }

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

        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Parses UTF-8 JSON bytes strictly (no duplicate property names), or returns the 400 naming where it fails.</summary>
    public static (JsonNode? Node, IResult? Problem) Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0)
        {
            return (null, ApiProblem.BadRequest("Missing request body", [new ApiError("$", "The request body is empty; send it as JSON.")]));
        }

        if (InvalidUtf8At(body) is { } offset)
        {
            return (null, ApiProblem.BadRequest("Malformed JSON", [new ApiError("$", $"The body is not UTF-8: invalid byte sequence at byte {offset + 1}.")]));
        }

        try
        {
            return (JsonNode.Parse(body, documentOptions: JsonDefaults.StrictDocument), null);
        }
        catch (JsonException e)
        {
            // System.Text.Json counts lines and bytes from 0; people count from 1.
            var line = (e.LineNumber ?? 0) + 1;
            var position = (e.BytePositionInLine ?? 0) + 1;
            var path = e.Path is { Length: > 0 } p ? p : "$";
            var message = $"Invalid JSON at line {line}, position {position}: {FirstSentence(e.Message)}";
            return (null, ApiProblem.BadRequest("Malformed JSON", [new ApiError(path, message)]));
        }
    }

    /// <summary>Why a body of <paramref name="contentType"/> is refused (415), or null for <c>application/json</c> or <c>*/*+json</c> in UTF-8.</summary>
    public static string? ContentTypeError(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return $"Send the body as application/json (Content-Type was {(contentType is null ? "missing" : $"'{Truncate(contentType)}'")}).";
        }

        var type = media.MediaType.Value ?? "";
        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        var charset = media.Charset.Value;
        if (!json)
        {
            return $"Send the body as application/json (Content-Type was '{Truncate(contentType!)}').";
        }

        return charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"JSON bodies are UTF-8 (charset was '{Truncate(charset)}').";
    }

    private static long? InvalidUtf8At(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            return null;
        }

        try
        {
            _ = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetCharCount(body);
            return 0;
        }
        catch (DecoderFallbackException e)
        {
            return Math.Max(e.Index, 0);
        }
    }

    private static IResult TooLarge(long bytes, long maxBytes) =>
        ApiProblem.TooLarge($"The body has at least {bytes} bytes; the limit is {maxBytes} bytes.");

    private static string Truncate(string text) => text.Length <= 64 ? text : $"{text[..64]}...";

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

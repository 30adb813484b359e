using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Rlhf.Tests.Shared.Telemetry;

/// <summary>
/// A loopback stand-in for Application Insights ingestion: the Azure Monitor exporter posts telemetry items (JSON lines,
/// gzip) to <c>{IngestionEndpoint}v2.1/track</c>; this keeps them and answers as the service does (all accepted). Point an
/// exporter at it with <see cref="ConnectionString"/>.
/// </summary>
public sealed class AzureMonitorIngestionStandIn : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentQueue<JsonNode> _items = new();
    private readonly ConcurrentQueue<string> _errors = new();

    public AzureMonitorIngestionStandIn() => _server = new LoopbackHttpServer(HandleAsync);

    public string ConnectionString => $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint={_server.Endpoint}";

    /// <summary>Every item received (<c>{"name": "...", "data": {"baseType": "RequestData" | "RemoteDependencyData" | "MetricData", ...}}</c>).</summary>
    public IReadOnlyList<JsonNode> Items => [.. _items];

    public IReadOnlyList<string> Errors => [.. _errors];

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpListenerContext context)
    {
        if (context.Request.Url?.AbsolutePath != "/v2.1/track")
        {
            _errors.Enqueue($"unexpected {context.Request.HttpMethod} {context.Request.Url}");
            context.Response.StatusCode = 404;
            return;
        }

        Stream body = context.Request.InputStream;
        if (context.Request.Headers["Content-Encoding"] == "gzip")
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            _items.Enqueue(JsonNode.Parse(line)!);
        }

        context.Response.ContentType = "application/json";
        var answer = Encoding.UTF8.GetBytes($$"""{"itemsReceived":{{lines.Length}},"itemsAccepted":{{lines.Length}},"errors":[]}""");
        await context.Response.OutputStream.WriteAsync(answer);
    }
}

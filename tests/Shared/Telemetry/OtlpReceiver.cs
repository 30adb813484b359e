using System.Collections.Concurrent;
using System.Net;

namespace Rlhf.Tests.Shared.Telemetry;

/// <summary>
/// A loopback OTLP/HTTP receiver (protobuf) for tests: what a collector would be for a process the test starts (the
/// trainer), set as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>. Accepts
/// <c>POST /v1/traces</c> and <c>/v1/metrics</c>, answers 200 with an empty export response, keeps what it decoded.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentQueue<OtlpSpan> _spans = new();
    private readonly ConcurrentQueue<OtlpMetric> _metrics = new();
    private readonly ConcurrentQueue<string> _errors = new();

    public OtlpReceiver() => _server = new LoopbackHttpServer(HandleAsync);

    public Uri Endpoint => _server.Endpoint;

    /// <summary>The settings that point an OpenTelemetry SDK's OTLP exporter here.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.AbsoluteUri.TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    public IReadOnlyList<OtlpSpan> Spans => [.. _spans];

    public IReadOnlyList<OtlpMetric> Metrics => [.. _metrics];

    /// <summary>Requests it could not decode (a test asserts there are none).</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        try
        {
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/v1/traces":
                    OtlpProtobuf.ReadTraces(body.ToArray()).ForEach(_spans.Enqueue);
                    break;
                case "/v1/metrics":
                    OtlpProtobuf.ReadMetrics(body.ToArray()).ForEach(_metrics.Enqueue);
                    break;
                default:
                    _errors.Enqueue($"unexpected {context.Request.HttpMethod} {context.Request.Url}");
                    context.Response.StatusCode = 404;
                    return;
            }
        }
        catch (Exception e) when (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException or InvalidOperationException)
        {
            _errors.Enqueue($"{context.Request.Url}: {e.Message}");
            context.Response.StatusCode = 400;
            return;
        }

        context.Response.ContentType = "application/x-protobuf";
    }
}

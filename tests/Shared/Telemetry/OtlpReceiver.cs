using System.Collections.Concurrent;
using System.Net;
using Rlhf.Core.Storage;

namespace Rlhf.Tests.Shared.Telemetry;

/// <summary>
/// A loopback OTLP/HTTP receiver (protobuf) for tests: what a collector would be for a process the test starts (the
/// trainer), set as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>. Accepts
/// <c>POST /v1/traces</c> and <c>/v1/metrics</c>, answers 200 with an empty export response, keeps what it decoded.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<OtlpSpan> _spans = new();
    private readonly ConcurrentQueue<OtlpMetric> _metrics = new();
    private readonly ConcurrentQueue<string> _errors = new();

    public OtlpReceiver()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.FindConsecutive(1);
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Endpoint = new Uri($"http://127.0.0.1:{port}");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Prefixes.Clear();
            }
        }

        _loop = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>The environment that points an OpenTelemetry SDK's OTLP exporter here.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.AbsoluteUri.TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    public IReadOnlyList<OtlpSpan> Spans => [.. _spans];

    public IReadOnlyList<OtlpMetric> Metrics => [.. _metrics];

    /// <summary>Requests it could not decode (a test asserts there are none).</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
            // stopped while waiting for a request
        }

        _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
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
                        break;
                }
            }
            catch (Exception e)
            {
                _errors.Enqueue($"{context.Request.Url}: {e.Message}");
                context.Response.StatusCode = 400;
            }

            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}

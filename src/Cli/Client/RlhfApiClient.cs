using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rlhf.Api;
using Rlhf.Core.Json;

namespace Rlhf.Cli.Client;

/// <summary>
/// HTTP client of the runs API, for the local host or a deployed Function App. A function key, when needed, comes from
/// <c>--function-key</c> or <c>RLHF_FUNCTION_KEY</c> and is sent as the <c>x-functions-key</c> header, never in a URL and
/// never in a message.
/// </summary>
public sealed class RlhfApiClient : IDisposable
{
    public const string FunctionKeyVariable = "RLHF_FUNCTION_KEY";
    public const string FunctionKeyHeader = "x-functions-key";

    private readonly HttpClient _http;

    /// <param name="functionKey">The Function App's key; null: <c>RLHF_FUNCTION_KEY</c>, if set.</param>
    public RlhfApiClient(Uri endpoint, string? functionKey = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(100),
        };
        if ((functionKey ?? Environment.GetEnvironmentVariable(FunctionKeyVariable)) is { Length: > 0 } key)
        {
            _http.DefaultRequestHeaders.Add(FunctionKeyHeader, key);
        }
    }

    public Uri Endpoint { get; }

    /// <summary><c>POST /api/runs[?runId=][&amp;reuse=false]</c>.</summary>
    public Task<RunLinks> StartRunAsync(string specJson, string? runId, bool reuse = true, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (runId is not null)
        {
            query.Add($"runId={Uri.EscapeDataString(runId)}");
        }

        if (!reuse)
        {
            query.Add("reuse=false");
        }

        return SendAsync<RunLinks>(HttpMethod.Post, "api/runs" + (query.Count > 0 ? "?" + string.Join('&', query) : ""),
            new StringContent(specJson, Encoding.UTF8, "application/json"), cancellationToken);
    }

    /// <summary><c>POST /api/runs/{id}/rerun[?runId=]</c>: a new run of the old run's spec from a stage (docs/reuse.md).</summary>
    public Task<RunLinks> RerunAsync(string runId, string fromStage, IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> set, bool reuse, string? newRunId, CancellationToken cancellationToken = default)
    {
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["from"] = fromStage,
            ["set"] = new System.Text.Json.Nodes.JsonObject(set.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))),
            ["reuse"] = reuse,
        };
        return SendAsync<RunLinks>(HttpMethod.Post, $"{RunPath(runId)}/rerun" + (newRunId is null ? "" : $"?runId={Uri.EscapeDataString(newRunId)}"),
            new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
    }

    /// <summary><c>GET /api/runs/compare?ids=…</c>.</summary>
    public Task<RunComparison> CompareAsync(IReadOnlyList<string> runIds, CancellationToken cancellationToken = default) =>
        SendAsync<RunComparison>(HttpMethod.Get, $"api/runs/compare?ids={IdList(runIds)}", null, cancellationToken);

    /// <summary><c>GET /api/runs/compare/report?ids=…</c>: the HTML page with the runs' curves overlaid.</summary>
    public async Task<string> GetCompareReportAsync(IReadOnlyList<string> runIds, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"api/runs/compare/report?ids={IdList(runIds)}", null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary><c>POST /api/runs/{id}/label-links</c>: signed labeling links for people (see <c>docs/labeling.md</c>).</summary>
    public Task<Api.Labeling.LabelLinks> CreateLabelLinksAsync(string runId, Api.Labeling.LabelLinksRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<Api.Labeling.LabelLinks>(HttpMethod.Post, $"{RunPath(runId)}/label-links", JsonContent.Create(request, options: JsonDefaults.Options), cancellationToken);

    public Task<RunPage> ListRunsAsync(RunListFilter filter, CancellationToken cancellationToken = default) =>
        SendAsync<RunPage>(HttpMethod.Get, $"api/runs{filter.ToQueryString()}", null, cancellationToken);

    public Task<RunDetail> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<RunDetail>(HttpMethod.Get, RunPath(runId), null, cancellationToken);

    public Task<RunLinks> CancelRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<RunLinks>(HttpMethod.Post, $"{RunPath(runId)}/cancel", null, cancellationToken);

    public Task<PurgeOutcome> PurgeRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<PurgeOutcome>(HttpMethod.Delete, RunPath(runId), null, cancellationToken);

    public async Task<string> GetReportAsync(string runId, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"{RunPath(runId)}/report", null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>The text of one of the run's artifacts, by its path inside the run's folder (<c>evaluate/evaluation.json</c>).</summary>
    public async Task<string> GetArtifactTextAsync(string runId, string relativePath, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"{RunPath(runId)}/artifacts/{relativePath}", null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>True when an rlhf API answers at the endpoint.</summary>
    public async Task<bool> IsServingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await ListRunsAsync(new RunListFilter { PageSize = 1 }, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is RlhfEndpointUnreachableException or RlhfApiException or HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();

    private static string RunPath(string runId) => $"api/runs/{Uri.EscapeDataString(runId)}";

    private static string IdList(IEnumerable<string> runIds) => string.Join(',', runIds.Select(Uri.EscapeDataString));

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(JsonDefaults.Options, cancellationToken)
            ?? throw new RlhfApiException(response.StatusCode, null, $"{method} {path} answered {(int)response.StatusCode} with an empty body.");
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new RlhfEndpointUnreachableException(Endpoint, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var problem = TryReadProblem(body);
            var detail = problem?.Detail ?? problem?.Title ?? (body.Length > 0 ? body : response.ReasonPhrase);
            throw new RlhfApiException(response.StatusCode, problem, $"{method} {path} failed: {(int)response.StatusCode} {response.StatusCode}: {detail}");
        }
    }

    private static ApiProblem? TryReadProblem(string body)
    {
        try
        {
            return body.Length > 0 ? JsonSerializer.Deserialize<ApiProblem>(body, JsonDefaults.Options) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

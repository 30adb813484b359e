using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Rlhf.Activities.Jobs.AzureMl;

/// <summary>A job as <c>GET .../jobs/{name}</c> returns it: its status and tags.</summary>
public sealed record AzureMlJobInfo(string Name, string Status, IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// The Azure ML control plane calls of the runner, as plain ARM requests (<c>Microsoft.MachineLearningServices/workspaces</c>
/// environments and jobs, api-version <see cref="ApiVersion"/>) through an Azure.Core <see cref="HttpPipeline"/>: bearer
/// tokens for <see cref="Scope"/> from the <see cref="TokenCredential"/>, retries with back-off and Retry-After. No Azure ML
/// management package is served here, and <c>GenericResource</c> expects a location that jobs (proxy resources) lack.
/// <para>Errors: a 401 or 403 throws <see cref="UnauthorizedAccessException"/> naming the permission and the role that grants
/// it; 400 and 404 (the request or the workspace is wrong) throw <see cref="ArgumentException"/>; both are permanent for the
/// workflow's retry policy. Anything else that is still an error after the pipeline's retries throws
/// <see cref="AzureMlRequestException"/>, which the activity retries.</para>
/// </summary>
public sealed partial class AzureMlArmClient
{
    /// <summary>The one api-version of every request (a stable version of the REST spec; DESIGN.md §5).</summary>
    public const string ApiVersion = "2025-09-01";

    /// <summary>The token scope of Azure Resource Manager.</summary>
    public const string Scope = "https://management.azure.com/.default";

    /// <summary>Key of the keyed <see cref="TokenCredential"/> service the host may register (default: DefaultAzureCredential).</summary>
    public const string CredentialKey = "Rlhf:AzureMl";

    /// <summary>The built-in role that holds every permission the runner needs on the workspace.</summary>
    public const string Role = "AzureML Data Scientist (f6c7c914-8db3-469d-8ca1-694a8f32e121)";

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    public AzureMlArmClient(Uri endpoint, TokenCredential credential, AzureMlClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        _endpoint = endpoint;
        _pipeline = HttpPipelineBuilder.Build(options ?? new AzureMlClientOptions(), new BearerTokenAuthenticationPolicy(credential, Scope));
    }

    /// <summary>Registers <paramref name="image"/> as an environment version (idempotent: the same version again is a no-op).</summary>
    public async Task PutEnvironmentVersionAsync(string versionId, string image, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["image"] = image,
                ["osType"] = "Linux",
                ["description"] = "rlhf-trainer image (the verbs of src/TrainerJob)",
            },
        };
        var response = await SendAsync(RequestMethod.Put, versionId, body, cancellationToken);
        if (response.Status == (int)HttpStatusCode.Conflict
            && await GetAsync(versionId, cancellationToken) is { } existing
            && (string?)existing["properties"]?["image"] == image)
        {
            return; // registered before (versions are immutable, and named after their image)
        }

        EnsureSuccess(response, RequestMethod.Put, versionId, "environments/versions/write");
    }

    /// <summary>Creates the job; false when a job of that name exists already (409), which the caller then reads.</summary>
    public async Task<bool> PutJobAsync(string jobId, JsonObject body, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(RequestMethod.Put, jobId, body, cancellationToken);
        if (response.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }

        EnsureSuccess(response, RequestMethod.Put, jobId, "jobs/write");
        return true;
    }

    /// <summary>The job, or null when there is none of that name (404).</summary>
    public async Task<AzureMlJobInfo?> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(jobId, cancellationToken);
        if (job is null)
        {
            return null;
        }

        var properties = job["properties"] as JsonObject;
        var tags = (properties?["tags"] as JsonObject)?
            .Where(t => t.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            .ToDictionary(t => t.Key, t => t.Value!.GetValue<string>(), StringComparer.Ordinal) ?? [];
        return new AzureMlJobInfo((string?)job["name"] ?? jobId[(jobId.LastIndexOf('/') + 1)..], (string?)properties?["status"] ?? "Unknown", tags);
    }

    /// <summary>Asks Azure ML to cancel the job (202; it goes CancelRequested, then Canceled); a job that is gone needs nothing.</summary>
    public async Task CancelJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(RequestMethod.Post, $"{jobId}/cancel", body: null, cancellationToken);
        if (response.Status != (int)HttpStatusCode.NotFound)
        {
            EnsureSuccess(response, RequestMethod.Post, $"{jobId}/cancel", "jobs/cancel/action");
        }
    }

    private async Task<JsonObject?> GetAsync(string resourceId, CancellationToken cancellationToken)
    {
        var response = await SendAsync(RequestMethod.Get, resourceId, body: null, cancellationToken);
        if (response.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(response, RequestMethod.Get, resourceId, resourceId.Contains("/jobs/", StringComparison.Ordinal) ? "jobs/read" : "environments/versions/read");
        return JsonNode.Parse(response.Content.ToMemory().Span) as JsonObject
            ?? throw new AzureMlRequestException(response.Status, "InvalidResponse", $"GET {resourceId} answered a body that is not a JSON object.");
    }

    private async Task<ArmResponse> SendAsync(RequestMethod method, string resourceId, JsonObject? body, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri(_endpoint, $"{resourceId.TrimStart('/')}?api-version={ApiVersion}"));
        request.Headers.SetValue("Accept", "application/json");
        if (body is not null)
        {
            request.Headers.SetValue("Content-Type", "application/json");
            request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        }
        else if (method == RequestMethod.Post)
        {
            request.Content = RequestContent.Create(BinaryData.FromString("{}"));
            request.Headers.SetValue("Content-Type", "application/json");
        }

        await _pipeline.SendAsync(message, cancellationToken);
        return new ArmResponse(message.Response.Status, message.Response.ReasonPhrase, message.Response.Content);
    }

    private static void EnsureSuccess(ArmResponse response, RequestMethod method, string resourceId, string operation)
    {
        if (response.Status is >= 200 and < 300)
        {
            return;
        }

        var (code, text) = ArmError(response);
        var said = $"{method} {resourceId} answered {response.Status} {code}: {text}";
        switch (response.Status)
        {
            case (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden:
                var action = ActionIn().Match(text) is { Success: true } m ? m.Groups[1].Value : $"Microsoft.MachineLearningServices/workspaces/{operation}";
                throw new UnauthorizedAccessException(
                    $"Azure ML refused the runner's identity the permission '{action}' ({said}). Grant the identity the {Role} role on the workspace "
                    + "(infra/bicep/modules/role-assignments.bicep does), or, for a 401, check the credential the host signs in with.");
            case (int)HttpStatusCode.BadRequest or (int)HttpStatusCode.NotFound:
                throw new ArgumentException($"Azure ML rejected the request ({said}); check compute.azureml and the host's {AzureMlOptions.SectionName} settings.");
            default:
                throw new AzureMlRequestException(response.Status, code, said);
        }
    }

    /// <summary>The <c>{"error":{"code","message"}}</c> of an ARM error response, or the status and raw text.</summary>
    private static (string Code, string Message) ArmError(ArmResponse response)
    {
        var raw = response.Content.ToString();
        try
        {
            if (JsonNode.Parse(raw)?["error"] is JsonObject error)
            {
                return ((string?)error["code"] ?? "Error", (string?)error["message"] ?? raw);
            }
        }
        catch (JsonException)
        {
            // not JSON: show it as it came
        }

        return (response.ReasonPhrase ?? "Error", raw.Length > 500 ? raw[..500] : raw);
    }

    /// <summary>What the runner keeps of a response (the pipeline buffered its content).</summary>
    private sealed record ArmResponse(int Status, string? ReasonPhrase, BinaryData Content);

    /// <summary>The action ARM names in an AuthorizationFailed message ("does not have authorization to perform action '…'").</summary>
    [GeneratedRegex(@"perform action '([A-Za-z0-9./_-]+)'")]
    private static partial Regex ActionIn();
}

/// <summary>An ARM request that still failed after the pipeline's retries (throttling, a server error): worth another try later.</summary>
public sealed class AzureMlRequestException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}

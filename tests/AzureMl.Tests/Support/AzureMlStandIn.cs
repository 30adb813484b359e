using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Activities.Jobs.AzureMl;

namespace Rlhf.AzureMl.Tests.Support;

/// <summary>The workspace the stand-in serves.</summary>
internal sealed record StandInWorkspace(string SubscriptionId, string ResourceGroup, string Workspace, string Compute, string Registry)
{
    public static StandInWorkspace Default { get; } = new("8f7c2f4e-4b9a-4d51-9b1e-3c2d6a0f1e42", "rg-rlhf-test", "mlw-test", "gpu-cluster", "crtest.azurecr.io");

    public string Id => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/{Workspace}";

    public string Image => $"{Registry}/rlhf-trainer:test";

    /// <summary>The host settings that point a runner at this workspace (endpoint aside).</summary>
    public void Configure(AzureMlOptions options, Uri endpoint)
    {
        options.Endpoint = endpoint;
        options.SubscriptionId = SubscriptionId;
        options.ResourceGroup = ResourceGroup;
        options.Workspace = Workspace;
        options.Compute = Compute;
        options.InstanceType = "Standard_NC4as_T4_v3";
        options.Image = Image;
        options.ClientId = "4b8d5f61-2c3e-4a7b-9d10-6e5f4c3b2a19";
    }
}

/// <summary>One request as the stand-in saw it: method, route template (names replaced by placeholders) and the status it answered.</summary>
internal sealed record ArmCall(string Method, string Route, int Status)
{
    public override string ToString() => $"{Method} {Route} -> {Status}";
}

/// <summary>A fault the stand-in answers the next matching request(s) with, before it looks at the request.</summary>
internal sealed record RequestFault(int Status, string Code, string Message, Func<string, string, bool> Matches, int Times = 1, TimeSpan? RetryAfter = null)
{
    public int Left { get; set; } = Times;

    /// <summary>429 TooManyRequests with Retry-After, as ARM throttling answers.</summary>
    public static RequestFault Throttle(int times, TimeSpan retryAfter, string method = "*", string route = "*") =>
        new(429, "TooManyRequests", "The request is being throttled.", Match(method, route), times, retryAfter);

    public static RequestFault ServerError(int times, string method = "*", string route = "*") =>
        new(500, "InternalServerError", "The server encountered an internal error.", Match(method, route), times);

    /// <summary>403 AuthorizationFailed, worded as ARM words it, for the identity that lacks <paramref name="action"/>.</summary>
    public static RequestFault Forbidden(string action, string method = "*", string route = "*", int times = int.MaxValue) =>
        new(403, "AuthorizationFailed",
            $"The client '7d1c0b3a-0000-4000-8000-000000000001' with object id '7d1c0b3a-0000-4000-8000-000000000001' does not have authorization to perform action '{action}' over scope '{StandInWorkspace.Default.Id}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            Match(method, route), times);

    private static Func<string, string, bool> Match(string method, string route) =>
        (m, r) => (method == "*" || method == m) && (route == "*" || r.StartsWith(route, StringComparison.Ordinal));
}

/// <summary>
/// A stand-in for the Azure ML control plane behind Azure Resource Manager, over HTTPS on loopback with a certificate the
/// test made (<see cref="StandInCertificate"/>). It speaks the ARM environment-version and job APIs as the REST spec
/// documents them: it wants a bearer token (the one <see cref="FixedTokenCredential"/> hands out) and a stable api-version,
/// checks each body's shape (a CommandJob with computeId, a registered environmentId, the trainer command, limits,
/// identity…), answers with ARM-style errors (<c>{"error":{"code","message"}}</c>), and runs each job for real
/// (<see cref="StandInJob"/>: the real trainer against Azurite), reporting its state through GET. Faults on request:
/// <see cref="RequestFault"/>s (429 with Retry-After, 500, 403) and per-job <see cref="JobFault"/>s.
/// </summary>
internal sealed partial class AzureMlStandIn : IAsyncDisposable
{
    public const string Token = "stand-in-entra-token";

    private readonly WebApplication _app;
    private readonly StandInWorkspace _workspace;
    private readonly string _trainerDll;
    private readonly string _root;
    private readonly IReadOnlyDictionary<string, string> _nodeEnvironment;
    private readonly SemaphoreSlim _nodes;
    private readonly ConcurrentDictionary<string, JsonObject> _environments = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, StandInJob> _jobs = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ArmCall> _calls = [];
    private readonly List<RequestFault> _faults = [];
    private readonly ConcurrentBag<string> _apiVersions = [];

    private AzureMlStandIn(WebApplication app, StandInWorkspace workspace, string trainerDll, string root, IReadOnlyDictionary<string, string> nodeEnvironment, int nodes, X509Certificate2 certificate)
    {
        _app = app;
        _workspace = workspace;
        _trainerDll = trainerDll;
        _root = root;
        _nodeEnvironment = nodeEnvironment;
        _nodes = new SemaphoreSlim(nodes);
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    public Uri Endpoint { get; private set; } = null!;

    public StandInWorkspace Workspace => _workspace;

    public FixedTokenCredential Credential { get; } = new(Token);

    /// <summary>The plan of each new job, from its name and body (default: run it through).</summary>
    public Func<string, JsonObject, JobPlan> Plan { get; set; } = (_, _) => new JobPlan();

    /// <summary>Every api-version a request carried.</summary>
    public IReadOnlySet<string> ApiVersions => _apiVersions.ToHashSet(StringComparer.Ordinal);

    public IReadOnlyList<ArmCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyDictionary<string, StandInJob> Jobs => _jobs;

    /// <summary>
    /// Starts the stand-in with <paramref name="nodes"/> nodes that run <paramref name="trainerDll"/>; job logs and trainer
    /// scratch folders under <paramref name="root"/>.
    /// </summary>
    public static async Task<AzureMlStandIn> StartAsync(StandInWorkspace workspace, string trainerDll, string root, int nodes = 2)
    {
        var certificate = StandInCertificate.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var nodeEnvironment = new Dictionary<string, string>
        {
            ["RLHF_WORK_DIR"] = Path.Combine(root, "node"),
            ["OMP_WAIT_POLICY"] = "PASSIVE", // the image sets it (src/TrainerJob/Dockerfile)
        };
        var standIn = new AzureMlStandIn(app, workspace, trainerDll, root, nodeEnvironment, nodes, certificate);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        standIn.Endpoint = new Uri(new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)), "/");
        return standIn;
    }

    /// <summary>Options for <see cref="AzureMlArmClient"/> that trust the stand-in's certificate and retry quickly.</summary>
    public AzureMlClientOptions ClientOptions()
    {
        var options = new AzureMlClientOptions { Transport = StandInCertificate.TrustingTransport(Certificate) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        return options;
    }

    /// <summary>Answers the next matching request(s) with <paramref name="fault"/>.</summary>
    public void Inject(RequestFault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }
    }

    public void ClearFaults()
    {
        lock (_faults)
        {
            _faults.Clear();
        }
    }

    /// <summary>How many requests each route got, by method and route template.</summary>
    public IReadOnlyDictionary<string, int> CallsByRoute() =>
        Calls.GroupBy(c => $"{c.Method} {c.Route}").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    public async ValueTask DisposeAsync()
    {
        foreach (var job in _jobs.Values)
        {
            job.Stop();
        }

        await Task.WhenAll(_running.Values).ContinueWith(_ => { }, TaskScheduler.Default);
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var route = Route(request.Path.Value ?? "");
        var template = route?.Template ?? request.Path.Value ?? "";
        int status;
        try
        {
            status = await AnswerAsync(context, route);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            status = await ErrorAsync(context, 400, "UserError", e.Message);
        }

        lock (_calls)
        {
            _calls.Add(new ArmCall(request.Method, template, status));
        }
    }

    private async Task<int> AnswerAsync(HttpContext context, ArmRoute? route)
    {
        var request = context.Request;
        if (TakeFault(request.Method, route?.Template ?? "") is { } fault)
        {
            if (fault.RetryAfter is { } after)
            {
                context.Response.Headers.RetryAfter = ((int)after.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            return await ErrorAsync(context, fault.Status, fault.Code, fault.Message);
        }

        if (request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            context.Response.Headers.WWWAuthenticate = "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", error=\"invalid_token\"";
            return await ErrorAsync(context, 401, request.Headers.Authorization.Count == 0 ? "AuthenticationFailed" : "InvalidAuthenticationToken",
                "Authentication failed. The 'Authorization' header is missing or its bearer token is not valid.");
        }

        var apiVersion = request.Query["api-version"].ToString();
        _apiVersions.Add(apiVersion);
        if (!StableApiVersion().IsMatch(apiVersion))
        {
            return await ErrorAsync(context, 400, apiVersion.Length == 0 ? "MissingApiVersionParameter" : "InvalidApiVersionParameter",
                $"The api-version '{apiVersion}' is not a stable version of Microsoft.MachineLearningServices.");
        }

        if (route is null)
        {
            return await ErrorAsync(context, 404, "InvalidResourceType", $"The resource type of '{request.Path}' could not be found in the namespace 'Microsoft.MachineLearningServices'.");
        }

        if (!string.Equals(route.WorkspaceId, _workspace.Id, StringComparison.OrdinalIgnoreCase))
        {
            return await ErrorAsync(context, 404, "ResourceNotFound", $"The workspace '{route.WorkspaceId}' was not found.");
        }

        return (request.Method, route.Kind) switch
        {
            ("PUT", RouteKind.EnvironmentVersion) => await PutEnvironmentAsync(context, route),
            ("GET", RouteKind.EnvironmentVersion) => await GetEnvironmentAsync(context, route),
            ("PUT", RouteKind.Job) => await PutJobAsync(context, route),
            ("GET", RouteKind.Job) => await GetJobAsync(context, route),
            ("POST", RouteKind.Cancel) => await CancelAsync(context, route),
            _ => await ErrorAsync(context, 405, "MethodNotAllowed", $"{request.Method} is not supported on {route.Template}."),
        };
    }

    private async Task<int> PutEnvironmentAsync(HttpContext context, ArmRoute route)
    {
        var body = await BodyAsync(context);
        var image = Text(body, "properties", "image") ?? throw new FormatException("properties.image is required: an environment version names its image.");
        if (!AzureMlJobNames.IsEnvironmentName(route.Name) || !VersionName().IsMatch(route.Version!))
        {
            return await ErrorAsync(context, 400, "UserError", $"'{route.Name}/{route.Version}' is not a valid environment name and version.");
        }

        var id = $"{route.WorkspaceId}/environments/{route.Name}/versions/{route.Version}";
        var resource = new JsonObject
        {
            ["id"] = id,
            ["name"] = route.Version,
            ["type"] = "Microsoft.MachineLearningServices/workspaces/environments/versions",
            ["properties"] = body["properties"]!.DeepClone(),
        };
        if (_environments.TryGetValue(id, out var existing))
        {
            return Text(existing, "properties", "image") == image
                ? await JsonAsync(context, 200, existing)
                : await ErrorAsync(context, 409, "Conflict", $"Environment version {route.Name}:{route.Version} exists with another image; versions are immutable.");
        }

        _environments[id] = resource;
        return await JsonAsync(context, 201, resource);
    }

    private async Task<int> GetEnvironmentAsync(HttpContext context, ArmRoute route) =>
        _environments.TryGetValue($"{route.WorkspaceId}/environments/{route.Name}/versions/{route.Version}", out var environment)
            ? await JsonAsync(context, 200, environment)
            : await ErrorAsync(context, 404, "ResourceNotFound", $"Environment version {route.Name}:{route.Version} was not found.");

    private async Task<int> PutJobAsync(HttpContext context, ArmRoute route)
    {
        if (!AzureMlJobNames.IsJobName(route.Name))
        {
            return await ErrorAsync(context, 400, "UserError", $"'{route.Name}' is not a valid job name.");
        }

        var body = await BodyAsync(context);
        if (CheckJob(body) is { } problem)
        {
            return await ErrorAsync(context, 400, "UserError", problem);
        }

        if (_jobs.ContainsKey(route.Name))
        {
            return await ErrorAsync(context, 409, "Conflict", $"A job named '{route.Name}' already exists in this workspace; jobs cannot be updated.");
        }

        var resource = new JsonObject
        {
            ["id"] = $"{route.WorkspaceId}/jobs/{route.Name}",
            ["name"] = route.Name,
            ["type"] = "Microsoft.MachineLearningServices/workspaces/jobs",
            ["properties"] = body["properties"]!.DeepClone(),
        };
        var job = new StandInJob(route.Name, resource, Plan(route.Name, body), Path.Combine(_root, "jobs", route.Name, "user_logs", "std_log.txt"));
        if (!_jobs.TryAdd(route.Name, job))
        {
            return await ErrorAsync(context, 409, "Conflict", $"A job named '{route.Name}' already exists in this workspace; jobs cannot be updated.");
        }

        _running[route.Name] = Task.Run(() => job.RunAsync(_nodes, _trainerDll, _nodeEnvironment));
        return await JsonAsync(context, 201, WithStatus(job));
    }

    private async Task<int> GetJobAsync(HttpContext context, ArmRoute route) =>
        _jobs.TryGetValue(route.Name, out var job)
            ? await JsonAsync(context, 200, WithStatus(job))
            : await ErrorAsync(context, 404, "ResourceNotFound", $"The job '{route.Name}' was not found in workspace '{_workspace.Workspace}'.");

    private async Task<int> CancelAsync(HttpContext context, ArmRoute route)
    {
        if (!_jobs.TryGetValue(route.Name, out var job))
        {
            return await ErrorAsync(context, 404, "ResourceNotFound", $"The job '{route.Name}' was not found.");
        }

        job.Cancel();
        context.Response.Headers.Location = new Uri(Endpoint, $"{route.WorkspaceId.TrimStart('/')}/operationResults/cancel-{route.Name}?api-version={context.Request.Query["api-version"]}").AbsoluteUri;
        context.Response.StatusCode = 202;
        return 202;
    }

    /// <summary>Why a job body is not a CommandJob this workspace can run, or null.</summary>
    private string? CheckJob(JsonObject body)
    {
        if (body["properties"] is not JsonObject p)
        {
            return "properties is required.";
        }

        var known = new[] { "jobType", "displayName", "experimentName", "computeId", "environmentId", "command", "environmentVariables", "resources", "limits", "identity", "tags", "description", "inputs", "outputs", "properties" };
        if (p.Select(x => x.Key).FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            return $"properties.{unknown} is not a property of a command job.";
        }

        var environment = Text(p, "environmentId");
        var timeout = Text(p, "limits", "timeout");
        return Text(p, "jobType") != "Command" ? "properties.jobType must be 'Command'."
            : !string.Equals(Text(p, "computeId"), $"{_workspace.Id}/computes/{_workspace.Compute}", StringComparison.OrdinalIgnoreCase) ? $"properties.computeId '{Text(p, "computeId")}' is not a compute of this workspace."
            : environment is null || !_environments.ContainsKey(environment) ? $"properties.environmentId '{environment}' is not a registered environment version (an image must be registered as an environment first)."
            : Text(p, "command") is not { } command || !Command().IsMatch(command) ? $"properties.command '{Text(p, "command")}' is not the trainer command."
            : p["environmentVariables"] is JsonObject variables && variables.Any(v => v.Value is not JsonValue value || value.GetValueKind() != JsonValueKind.String) ? "properties.environmentVariables must map names to strings."
            : p["resources"]?["instanceCount"] is not JsonValue count || count.GetValueKind() != JsonValueKind.Number || count.GetValue<int>() != 1 ? "properties.resources.instanceCount must be 1."
            : Text(p, "limits", "jobLimitsType") != "Command" ? "properties.limits.jobLimitsType must be 'Command'."
            : timeout is null || !IsDuration(timeout) ? $"properties.limits.timeout '{timeout}' is not an ISO 8601 duration."
            : Text(p, "identity", "identityType") is not ("Managed" or "AMLToken" or "UserIdentity") ? "properties.identity.identityType must be Managed, AMLToken or UserIdentity."
            : null;
    }

    private static JsonObject WithStatus(StandInJob job)
    {
        var resource = (JsonObject)job.Resource.DeepClone();
        resource["properties"]!["status"] = job.Status;
        return resource;
    }

    private RequestFault? TakeFault(string method, string route)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Left > 0 && f.Matches(method, route));
            if (fault is not null)
            {
                fault.Left--;
            }

            return fault;
        }
    }

    private static async Task<JsonObject> BodyAsync(HttpContext context)
    {
        if (!context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) ?? true)
        {
            throw new FormatException($"Content-Type '{context.Request.ContentType}' is not application/json.");
        }

        return await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? throw new FormatException("The body is not a JSON object.");
    }

    private static async Task<int> JsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
        return status;
    }

    private static Task<int> ErrorAsync(HttpContext context, int status, string code, string message) =>
        JsonAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static string? Text(JsonNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is JsonObject o ? o[key] : null;
        }

        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    }

    private static bool IsDuration(string text)
    {
        try
        {
            return System.Xml.XmlConvert.ToTimeSpan(text) > TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static ArmRoute? Route(string path)
    {
        var m = ArmPath().Match(path);
        if (!m.Success)
        {
            return null;
        }

        var workspace = $"/subscriptions/{m.Groups["s"].Value}/resourceGroups/{m.Groups["rg"].Value}/providers/Microsoft.MachineLearningServices/workspaces/{m.Groups["ws"].Value}";
        var rest = m.Groups["rest"].Value.Split('/');
        return rest switch
        {
            ["environments", var name, "versions", var version] => new ArmRoute(RouteKind.EnvironmentVersion, workspace, name, version, "environments/{name}/versions/{version}"),
            ["jobs", var name] => new ArmRoute(RouteKind.Job, workspace, name, null, "jobs/{name}"),
            ["jobs", var name, "cancel"] => new ArmRoute(RouteKind.Cancel, workspace, name, null, "jobs/{name}/cancel"),
            _ => null,
        };
    }

    private enum RouteKind
    {
        EnvironmentVersion,
        Job,
        Cancel,
    }

    private sealed record ArmRoute(RouteKind Kind, string WorkspaceId, string Name, string? Version, string Template);

    [GeneratedRegex("^/subscriptions/(?<s>[^/]+)/resourceGroups/(?<rg>[^/]+)/providers/Microsoft.MachineLearningServices/workspaces/(?<ws>[^/]+)/(?<rest>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ArmPath();

    [GeneratedRegex(@"^20[0-9]{2}-[01][0-9]-[0-3][0-9]$")]
    private static partial Regex StableApiVersion();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex VersionName();

    [GeneratedRegex(@"^rlhf-trainer [a-z]+ --spec https?://\S+$")]
    private static partial Regex Command();
}

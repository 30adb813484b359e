using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.Logging;

namespace Rlhf.Cli.Tests;

/// <summary>
/// A deployed Function App as the CLI meets it, at the HTTP level: only the HTTP triggers the FunctionApp build declares in
/// its <c>functions.metadata</c> exist (anything else is a 404, as the Functions host answers), a function with
/// <c>authLevel: function</c> needs the key in <c>x-functions-key</c> (else 401), and the work is done by the real handlers
/// behind it (a local host) — so a client verb passes here only if its route is a Function App route.
/// </summary>
internal sealed class FunctionAppStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _backend;

    private FunctionAppStandIn(WebApplication app, HttpClient backend, string key)
    {
        _app = app;
        _backend = backend;
        Key = key;
    }

    public string Key { get; }

    public Uri Endpoint => new(_app.Urls.First());

    /// <summary>Every request: method, path, the function it matched (null: none) and whether it carried the key.</summary>
    public ConcurrentQueue<(string Method, string Path, string? Function, bool HadKey)> Requests { get; } = new();

    public static async Task<FunctionAppStandIn> StartAsync(Uri backend, string key)
    {
        var routes = LoadRoutes();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var standIn = new FunctionAppStandIn(app, new HttpClient { BaseAddress = backend }, key);
        app.Run(standIn.HandleAsync(routes));
        await app.StartAsync();
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _backend.Dispose();
    }

    private RequestDelegate HandleAsync(IReadOnlyList<(string Name, string Method, TemplateMatcher Matcher, bool NeedsKey)> routes) => async context =>
    {
        var request = context.Request;
        var hadKey = request.Headers.TryGetValue("x-functions-key", out var sent) && sent.ToString() == Key;
        var path = request.Path.Value ?? "";
        var function = path.StartsWith("/api/", StringComparison.Ordinal)
            ? routes.FirstOrDefault(r => r.Method == request.Method && r.Matcher.TryMatch(path["/api".Length..], new RouteValueDictionary()))
            : default;
        Requests.Enqueue((request.Method, path, function.Name, hadKey));
        if (function.Name is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (function.NeedsKey && !hadKey)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), path + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            forward.Content = new ByteArrayContent(body.ToArray());
            forward.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }

        using var answer = await _backend.SendAsync(forward);
        context.Response.StatusCode = (int)answer.StatusCode;
        if (answer.Content.Headers.ContentType is { } type)
        {
            context.Response.ContentType = type.ToString();
        }

        await context.Response.Body.WriteAsync(await answer.Content.ReadAsByteArrayAsync());
    };

    /// <summary>The HTTP triggers of the FunctionApp build: name, method, route (under <c>/api</c>) and whether a key is required.</summary>
    private static List<(string, string, TemplateMatcher, bool)> LoadRoutes()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "FunctionApp", "functions.metadata");
        Assert.True(File.Exists(path), $"the FunctionApp build emitted no functions.metadata ({path})");
        var routes = new List<(string, string, TemplateMatcher, bool)>();
        foreach (var function in JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(f => f!.AsObject()))
        {
            var trigger = function["bindings"]!.AsArray().Select(b => b!.AsObject()).FirstOrDefault(b => (string?)b["type"] == "httpTrigger");
            if (trigger is null)
            {
                continue;
            }

            var template = TemplateParser.Parse(((string)trigger["route"]!).Replace("{*", "{**", StringComparison.Ordinal));
            var needsKey = !string.Equals((string?)trigger["authLevel"], "Anonymous", StringComparison.OrdinalIgnoreCase);
            foreach (var method in trigger["methods"]!.AsArray())
            {
                routes.Add(((string)function["name"]!, ((string)method!).ToUpperInvariant(), new TemplateMatcher(template, new RouteValueDictionary()), needsKey));
            }
        }

        // literal routes first, as the Functions host orders them (runs/compare before runs/{id})
        return [.. routes.OrderBy(r => r.Item3.Template.Segments.Count(s => s.Parts.Any(p => p.IsParameter)))];
    }
}

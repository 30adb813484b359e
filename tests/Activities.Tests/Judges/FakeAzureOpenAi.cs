using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rlhf.Activities.Tests.Judges;

/// <summary>One chat request as the local endpoint saw it, with when it arrived.</summary>
internal sealed record SeenRequest(string Path, string? ApiVersion, string? ApiKey, string System, string User, JsonObject Body, DateTimeOffset At);

/// <summary>
/// A local OpenAI-compatible chat endpoint (Kestrel on 127.0.0.1, free port) in the Azure OpenAI URL shape
/// <c>/openai/deployments/{deployment}/chat/completions?api-version=...</c>. Every request is recorded;
/// <see cref="Reply"/> decides the answer: a status (429/5xx get a <c>Retry-After</c> of
/// <see cref="RetryAfterSeconds"/>) or the assistant's text, returned with fixed token usage (100 prompt, 20 completion).
/// </summary>
internal sealed class FakeAzureOpenAi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeAzureOpenAi(WebApplication app) => _app = app;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>(request, 0-based request number) → (status, assistant text).</summary>
    public Func<SeenRequest, int, (int Status, string Text)> Reply { get; set; } = (_, _) => (200, "Verdict: tie");

    public int RetryAfterSeconds { get; set; } = 1;

    public string Endpoint => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    public static async Task<FakeAzureOpenAi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeAzureOpenAi(app);
        var count = -1;
        app.MapPost("/openai/deployments/{deployment}/chat/completions", async (HttpContext http, string deployment) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body);
            var messages = body!["messages"]!.AsArray();
            string Content(string role) => string.Join("\n", messages.Where(m => m!["role"]!.GetValue<string>() == role).Select(m => Text(m!["content"]!)));
            var seen = new SeenRequest(http.Request.Path, http.Request.Query["api-version"], http.Request.Headers["api-key"], Content("system"), Content("user"), body.AsObject(), DateTimeOffset.UtcNow);
            fake.Requests.Enqueue(seen);
            var (status, text) = fake.Reply(seen, Interlocked.Increment(ref count));
            if (status != 200)
            {
                http.Response.Headers.RetryAfter = fake.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Json(new { error = new { code = status.ToString(System.Globalization.CultureInfo.InvariantCulture), message = "try later" } }, statusCode: status);
            }

            return Results.Text(Completion(deployment, text), "application/json");
        });
        await app.StartAsync();
        return fake;
    }

    /// <summary>The response shown as A or B in a judge's user message.</summary>
    public static string Response(SeenRequest request, char position)
    {
        var start = request.User.IndexOf($"Response {position}:\n<<<", StringComparison.Ordinal) + 15;
        return request.User[start..request.User.IndexOf(">>>", start, StringComparison.Ordinal)];
    }

    private static string Text(JsonNode content) => content is JsonArray parts
        ? string.Concat(parts.Select(p => p!["text"]?.GetValue<string>()))
        : content.GetValue<string>();

    private static string Completion(string model, string text) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-test",
        @object = "chat.completion",
        created = 1_700_000_000,
        model,
        choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
        usage = new { prompt_tokens = 100, completion_tokens = 20, total_tokens = 120 },
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

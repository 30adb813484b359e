using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Api;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.FunctionApp.Http;
using Rlhf.FunctionApp.Tests.Support;

namespace Rlhf.FunctionApp.Tests;

/// <summary>
/// The HTTP trigger methods called as the Functions worker calls them (an ASP.NET Core request, a
/// <see cref="DurableTaskClient"/>), on the real engine, and their <see cref="IResult"/> written to a response.
/// </summary>
public sealed class HttpTriggerTests
{
    [Fact]
    public async Task InvalidSpecIsA400ProblemNamingTheFieldAndStartsNothing()
    {
        await using var host = await WrapperHost.StartAsync();
        var context = Request("POST", "/api/runs", """{ "name": "bad", "sampling": { "k": 1 } }""");

        var result = await Functions(host).StartRun(context.Request, host.Client, CancellationToken.None);
        var (status, contentType, body) = await ExecuteAsync(result, context);

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal(ApiProblem.ContentType, contentType);
        var errors = body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Equal(["$.sampling.k"], errors);
        Assert.Empty(await host.Client.GetAllInstancesAsync().ToListAsync());
    }

    [Fact]
    public async Task ValidSpecStartsAnRlhfRunUnderTheRequestedIdAndAnswers202WithItsLinks()
    {
        await using var host = await WrapperHost.StartAsync();
        // Submission checks that the spec's inputs exist (the default tiny datasets); the run is terminated before it reads them.
        foreach (var input in new[] { "corpus.txt", "prompts.train.jsonl", "prompts.heldout.jsonl", "lexicons/afinn-111.tsv" })
        {
            await host.Store.PutAsync($"datasets/tiny/{input}", Encoding.UTF8.GetBytes("x\n"));
        }

        var context = Request("POST", "/api/runs?runId=fa-http-1", """{ "name": "http", "sampling": { "k": 2 } }""");

        var result = await Functions(host).StartRun(context.Request, host.Client, CancellationToken.None);
        var (status, _, body) = await ExecuteAsync(result, context);

        Assert.Equal(StatusCodes.Status202Accepted, status);
        Assert.EndsWith("/api/runs/fa-http-1", context.Response.Headers.Location.ToString(), StringComparison.Ordinal);
        Assert.Equal("fa-http-1", body.GetProperty("id").GetString());
        var instance = await host.Client.GetInstanceAsync("fa-http-1");
        Assert.Equal(TaskNames.RlhfRun, instance!.Name);
        await host.Client.TerminateInstanceAsync("fa-http-1", "test done");
    }

    [Fact]
    public async Task UnknownRunIs404AndArtifactsAreServedFromTheRunsFolder()
    {
        await using var host = await WrapperHost.StartAsync();
        await host.Store.PutAsync("runs/fa-art/labels/preferences.jsonl", Encoding.UTF8.GetBytes("{\"prompt\":\"p\"}\n"));
        var functions = Functions(host);

        var missing = Request("GET", "/api/runs/nope", body: null);
        var (missingStatus, missingType, _) = await ExecuteAsync(await functions.GetRun(missing.Request, "nope", host.Client, CancellationToken.None), missing);
        var artifact = Request("GET", "/api/runs/fa-art/artifacts/labels/preferences.jsonl", body: null);
        var (artifactStatus, artifactType, _) = await ExecuteAsync(
            await functions.GetRunArtifact(artifact.Request, "fa-art", "labels/preferences.jsonl", CancellationToken.None), artifact, json: false);

        Assert.Equal(StatusCodes.Status404NotFound, missingStatus);
        Assert.Equal(ApiProblem.ContentType, missingType);
        Assert.Equal(StatusCodes.Status200OK, artifactStatus);
        Assert.Equal("application/x-ndjson", artifactType);
        Assert.Equal("{\"prompt\":\"p\"}\n", Encoding.UTF8.GetString(((MemoryStream)artifact.Response.Body).ToArray()));
    }

    private static RunsFunctions Functions(WrapperHost host) => new(
        host.Services.GetRequiredService<IArtifactStore>(),
        host.Services.GetRequiredService<IJobRunner>(),
        host.Services.GetRequiredService<IOptions<RlhfApiOptions>>(),
        host.Services.GetRequiredService<TimeProvider>());

    private static DefaultHttpContext Request(string method, string pathAndQuery, string? body)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        var uri = new Uri("http://fa.test" + pathAndQuery);
        context.Request.Method = method;
        context.Request.Scheme = uri.Scheme;
        context.Request.Host = new HostString(uri.Authority);
        context.Request.Path = uri.AbsolutePath;
        context.Request.QueryString = new QueryString(uri.Query);
        if (body is not null)
        {
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<(int Status, string? ContentType, JsonElement Body)> ExecuteAsync(IResult result, HttpContext context, bool json = true)
    {
        await result.ExecuteAsync(context);
        var bytes = ((MemoryStream)context.Response.Body).ToArray();
        var body = json ? JsonDocument.Parse(bytes).RootElement.Clone() : default;
        return (context.Response.StatusCode, context.Response.ContentType?.Split(';')[0], body);
    }
}

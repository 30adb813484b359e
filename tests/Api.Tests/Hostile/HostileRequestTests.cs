using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Rlhf.Tests.Hosting;
using Rlhf.Cli.Hosting;

namespace Rlhf.Api.Tests.Hostile;

/// <summary>
/// The hostile-request corpus (<see cref="HostileCorpus"/>) against the real local host over HTTP: every request is a 4xx
/// problem naming its field, with no stack frame or server path in the body, and leaves no instance and no blob.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class HostileRequestTests(LocalHostFixture host)
{
    [Fact]
    public void The_corpus_covers_at_least_forty_requests() => Assert.True(HostileCorpus.All().Count >= 40, $"{HostileCorpus.All().Count} cases");

    [Theory]
    [MemberData(nameof(HostileCorpus.Cases), MemberType = typeof(HostileCorpus))]
    public async Task Is_refused_with_a_problem_naming_the_field_and_creates_nothing(HostileRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
        if (request.Body is not null && request.Method != "GET")
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = request.ContentType is null ? null : MediaTypeHeaderValue.Parse(request.ContentType);
        }

        foreach (var (name, value) in request.Headers ?? new Dictionary<string, string>())
        {
            if (name == "Host")
            {
                message.Headers.Host = value;
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await host.Http.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(request.Status == response.StatusCode, $"{request.Name}: expected {(int)request.Status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(text.Length < 20_000, $"{request.Name}: a {text.Length}-character problem echoes the input");
        Assert.DoesNotContain(RepoRoot.Find()!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        if (request.Field is not null)
        {
            var paths = JsonNode.Parse(text)!["errors"]!.AsArray().Select(e => (string)e!["path"]!).ToList();
            Assert.True(
                paths.Contains(request.Field) || (request.Field == "$" && paths.All(p => p.StartsWith('$'))),
                $"{request.Name}: expected an error at {request.Field}, got {string.Join(", ", paths)}: {text}");
        }

        if (request.RunId is not null)
        {
            Assert.Empty(await host.InstancesAsync(request.RunId));
            Assert.Empty(await host.BlobsAsync($"runs/{request.RunId}/"));
        }
    }

    [Fact]
    public async Task Links_are_built_from_the_connection_address_not_the_Host_header()
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/runs?runId=h-links") { Content = new StringContent(LocalHostFixture.TinySpec, System.Text.Encoding.UTF8, "application/json") };
        message.Headers.Host = $"localhost:{host.Host.ApiUri.Port}";

        using var response = await host.Http.SendAsync(message);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(new Uri(host.Host.ApiUri, "api/runs/h-links"), response.Headers.Location);
        using var cancel = await host.Http.PostAsync("api/runs/h-links/cancel", null);
    }

    [Theory]
    [InlineData("api/label")]
    [InlineData("api/runs/h-report/report")]
    public async Task Html_pages_send_csp_frame_and_sniffing_headers(string path)
    {
        if (path.Contains("h-report", StringComparison.Ordinal))
        {
            using var start = await host.Http.PostAsync("api/runs?runId=h-report", new StringContent(LocalHostFixture.TinySpec, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        }

        using var response = await host.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        var directives = csp.Split(';').Select(d => d.Trim()).ToList();
        var scripts = directives.FirstOrDefault(d => d.StartsWith("script-src", StringComparison.Ordinal)) ?? directives.Single(d => d.StartsWith("default-src", StringComparison.Ordinal));
        Assert.DoesNotContain("unsafe-inline", scripts, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        if (path.Contains("h-report", StringComparison.Ordinal))
        {
            using var cancel = await host.Http.PostAsync("api/runs/h-report/cancel", null);
        }
    }
}

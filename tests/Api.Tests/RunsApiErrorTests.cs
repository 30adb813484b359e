using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests;

/// <summary>Every bad request gets the right status and a problem document naming the field, and leaves no instance or blob behind.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class RunsApiErrorTests(LocalHostFixture host)
{
    [Fact]
    public async Task Invalid_spec_field_is_a_400_naming_its_json_path_and_creates_nothing()
    {
        var spec = JsonNode.Parse(LocalHostFixture.TinySpec, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        spec["name"] = 5;

        using var response = await PostAsync("api/runs?runId=bad-field", spec.ToJsonString());

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["path"] == "$.name");
        await AssertNothingLeftAsync("bad-field");
    }

    [Fact]
    public async Task Malformed_json_is_a_400_with_line_and_position()
    {
        using var response = await PostAsync("api/runs?runId=bad-json", "{\n  \"name\": \"x\",\n  \"seed\": }");

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var message = (string)problem["errors"]![0]!["message"]!;
        Assert.Contains("line 3, position 11", message, StringComparison.Ordinal);
        await AssertNothingLeftAsync("bad-json");
    }

    [Fact]
    public async Task Body_over_the_limit_is_a_413_and_creates_nothing()
    {
        var huge = $"{{\"name\":\"big\",\"pad\":\"{new string('x', 1024 * 1024)}\"}}";

        using var response = await PostAsync("api/runs?runId=too-big", huge);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertNothingLeftAsync("too-big");
    }

    [Fact]
    public async Task Invalid_run_id_is_a_400_naming_the_query_parameter()
    {
        using var response = await PostAsync("api/runs?runId=has%3Acolon", LocalHostFixture.TinySpec);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("?runId", (string?)problem["errors"]![0]!["path"]);
        await AssertNothingLeftAsync("has:colon");
    }

    [Theory]
    [InlineData("GET", "api/runs/no-such-run")]
    [InlineData("GET", "api/runs/no-such-run/report")]
    [InlineData("POST", "api/runs/no-such-run/cancel")]
    [InlineData("DELETE", "api/runs/no-such-run")]
    public async Task Unknown_run_is_a_404_problem(string method, string path)
    {
        using var response = await host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("no-such-run", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_id_whose_folder_already_has_artifacts_is_a_409_and_keeps_them()
    {
        await host.Store.PutAsync("runs/orphan/left-over.json", Encoding.UTF8.GetBytes("{}"));

        using var response = await PostAsync("api/runs?runId=orphan", LocalHostFixture.TinySpec);

        await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Empty(await host.InstancesAsync("orphan"));
        Assert.Equal(["runs/orphan/left-over.json"], await host.BlobsAsync("runs/orphan/"));
    }

    [Fact]
    public async Task Bad_list_filters_are_400s_naming_each_parameter()
    {
        using var response = await host.Http.GetAsync("api/runs?status=Sleeping&pageSize=0&createdFrom=yesterday");

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var paths = problem["errors"]!.AsArray().Select(e => (string)e!["path"]!).Order().ToArray();
        Assert.Equal(["?createdFrom", "?pageSize", "?status"], paths);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        host.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((int)expected, (int)problem["status"]!);
        return problem;
    }

    private async Task AssertNothingLeftAsync(string runId)
    {
        Assert.Empty(await host.InstancesAsync(runId));
        Assert.Empty(await host.BlobsAsync($"runs/{runId}"));
        using var status = await host.Http.GetAsync($"api/runs/{Uri.EscapeDataString(runId)}");
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }
}

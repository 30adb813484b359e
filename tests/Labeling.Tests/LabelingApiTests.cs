using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Api;
using Rlhf.Core.Json;
using Rlhf.Core.Labeling;
using Rlhf.Tests.Hosting;

namespace Rlhf.Labeling.Tests;

/// <summary>The labeling endpoints over HTTP on the real local host, against a <c>LabelComparisons</c> instance waiting for people.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class LabelingApiTests(LocalHostFixture host)
{
    [Fact]
    public async Task Every_bad_submission_is_refused_with_its_status_and_stores_nothing()
    {
        var runId = NewRunId();
        await LabelingScenario.StartAsync(host, runId);
        var token = LabelingScenario.TokenOf((await LabelingScenario.LinksAsync(host, runId, "alice")).Links.Single());
        var tokens = host.Host.Services.GetRequiredService<LabelTokens>();
        var expired = tokens.Sign(new LabelTokenClaims(runId, 0, "alice", DateTimeOffset.UtcNow.AddMinutes(-1), "n"));
        var forged = new LabelTokens(new byte[32], TimeProvider.System).Issue(runId, 0, "alice", TimeSpan.FromHours(1));
        string Id(string prompt) => LabelingScenario.Id(runId, prompt);
        object Good(string? pick = null) => new object[]
        {
            new { comparisonId = Id("p-a"), choice = pick ?? "first" },
            new { comparisonId = Id("p-b"), choice = "skip" },
            new { comparisonId = Id("p-c"), ranking = new[] { 2, 0, 1 } },
        };

        var cases = new (string Name, string Body, HttpStatusCode Status, string? Field)[]
        {
            ("malformed JSON", "{ \"token\": ", HttpStatusCode.BadRequest, "$"),
            ("no answers", Body(new { token }), HttpStatusCode.BadRequest, "$.answers"),
            ("no comparison id", Body(new { token, answers = new[] { new { choice = "first" } } }), HttpStatusCode.BadRequest, "$.answers[0].comparisonId"),
            ("both choice and ranking", Body(new { token, answers = new object[] { new { comparisonId = Id("p-a"), choice = "first", ranking = new[] { 0, 1 } } } }), HttpStatusCode.BadRequest, "$.answers[0]"),
            ("unknown choice", Body(new { token, answers = new object[] { new { comparisonId = Id("p-a"), choice = "left" } } }), HttpStatusCode.BadRequest, "$.answers[0].choice"),
            ("ranking with a duplicate", Body(new { token, answers = new object[] { new { comparisonId = Id("p-a"), choice = "first" }, new { comparisonId = Id("p-b"), choice = "tie" }, new { comparisonId = Id("p-c"), ranking = new[] { 2, 2, 1 } } } }), HttpStatusCode.BadRequest, "$.answers[2].ranking"),
            ("ranking missing an item", Body(new { token, answers = new object[] { new { comparisonId = Id("p-a"), choice = "first" }, new { comparisonId = Id("p-b"), choice = "tie" }, new { comparisonId = Id("p-c"), ranking = new[] { 2, 0 } } } }), HttpStatusCode.BadRequest, "$.answers[2].ranking"),
            ("pair choice on three completions", Body(new { token, answers = new object[] { new { comparisonId = Id("p-a"), choice = "first" }, new { comparisonId = Id("p-b"), choice = "tie" }, new { comparisonId = Id("p-c"), choice = "first" } } }), HttpStatusCode.BadRequest, "$.answers[2].choice"),
            ("a comparison left out", Body(new { token, answers = new object[] { new { comparisonId = Id("p-a"), choice = "first" } } }), HttpStatusCode.BadRequest, "$.answers"),
            ("a comparison answered twice", Body(new { token, answers = new object[] { new { comparisonId = Id("p-a"), choice = "first" }, new { comparisonId = Id("p-a"), choice = "second" } } }), HttpStatusCode.BadRequest, "$.answers[1].comparisonId"),
            ("unknown comparison", Body(new { token, answers = new object[] { new { comparisonId = Id("p-zzz"), choice = "first" } } }), HttpStatusCode.NotFound, null),
            ("comparison of another batch", Body(new { token, answers = new object[] { new { comparisonId = $"{runId}:1:p-a", choice = "first" } } }), HttpStatusCode.Forbidden, null),
            ("comparison of another run", Body(new { token, answers = new object[] { new { comparisonId = "other-run:0:p-a", choice = "first" } } }), HttpStatusCode.Forbidden, null),
            ("no token", Body(new { answers = Good() }), HttpStatusCode.Unauthorized, null),
            ("forged token", Body(new { token = forged, answers = Good() }), HttpStatusCode.Unauthorized, null),
            ("expired token", Body(new { token = expired, answers = Good() }), HttpStatusCode.Unauthorized, null),
        };

        foreach (var (name, body, status, field) in cases)
        {
            using var response = await host.Http.PostAsync("api/label/submissions", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{name}: expected {status}, got {response.StatusCode}: {text}");
            Assert.Equal(ApiProblem.ContentType, response.Content.Headers.ContentType?.MediaType);
            if (field is not null)
            {
                var paths = (await LabelingScenario.JsonAsync(response)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString());
                Assert.True(paths.Contains(field), $"{name}: no error names {field}: {text}");
            }
        }

        Assert.Empty(await host.BlobsAsync($"runs/{runId}/labels/human/"));
        Assert.False(await host.Store.ExistsAsync($"runs/{runId}/labels/batch-0000.jsonl"));
    }

    [Fact]
    public async Task A_replayed_submission_is_a_no_op_and_a_changed_one_is_a_conflict()
    {
        var runId = NewRunId();
        await LabelingScenario.StartAsync(host, runId);
        var token = LabelingScenario.TokenOf((await LabelingScenario.LinksAsync(host, runId, "alice")).Links.Single());
        string Submission(string pairChoice) => Body(new
        {
            token,
            answers = new object[]
            {
                new { comparisonId = LabelingScenario.Id(runId, "p-c"), ranking = new[] { 1, 0, 2 }, reason = "  repeats  " },
                new { comparisonId = LabelingScenario.Id(runId, "p-a"), choice = pairChoice },
                new { comparisonId = LabelingScenario.Id(runId, "p-b"), choice = "bothBad" },
            },
        });

        var first = await PostAsync(Submission("first"));
        var replay = await PostAsync(Submission("first"));
        var changed = await PostAsync(Submission("second"));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.True(first.Json.GetProperty("stored").GetBoolean());
        Assert.Equal((1, 2, false), (first.Json.GetProperty("submissions").GetInt32(), first.Json.GetProperty("required").GetInt32(), first.Json.GetProperty("signalled").GetBoolean()));
        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.True(replay.Json.GetProperty("duplicate").GetBoolean());
        Assert.Equal(1, replay.Json.GetProperty("submissions").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, changed.Status);
        Assert.Equal([$"runs/{runId}/labels/human/batch-0000/alice.jsonl"], await host.BlobsAsync($"runs/{runId}/labels/human/"));
        var stored = Rlhf.Activities.Labeling.Jsonl.Deserialize<HumanJudgement>("alice.jsonl", await host.Store.ReadAsync(HumanSubmissionStore.PathOf(runId, 0, "alice")));
        Assert.Equal(["p-a", "p-b", "p-c"], stored.Select(j => j.PromptId));
        Assert.Equal([0, 1], stored[0].Ranking);
        Assert.Equal(HumanVerdict.BothBad, stored[1].Verdict);
        Assert.Equal("repeats", stored[2].Reason);
        await host.Durable.TerminateInstanceAsync($"{runId}:labels", "test done");
    }

    [Fact]
    public async Task Batch_view_shows_the_links_comparisons_and_refuses_bad_tokens()
    {
        var runId = NewRunId();
        await LabelingScenario.StartAsync(host, runId);
        var links = await LabelingScenario.LinksAsync(host, runId, "alice", "bob");

        var view = await host.Http.GetFromJsonAsync<Api.Labeling.LabelBatchView>($"api/label/batch?token={Uri.EscapeDataString(LabelingScenario.TokenOf(links.Links[1]))}", JsonDefaults.Options);
        using var forged = await host.Http.GetAsync("api/label/batch?token=abc.def");
        using var page = await host.Http.GetAsync("api/label?token=x");

        Assert.Equal(["alice", "bob"], links.Links.Select(l => l.Labeler));
        Assert.All(links.Links, l => Assert.StartsWith($"{host.Host.ApiUri}api/label?token=", l.Url, StringComparison.Ordinal));
        Assert.Equal(("bob", 0, false, false), (view!.Labeler, view.BatchIndex, view.Submitted, view.Closed));
        Assert.Equal([LabelingScenario.Id(runId, "p-a"), LabelingScenario.Id(runId, "p-b"), LabelingScenario.Id(runId, "p-c")], view.Comparisons.Select(c => c.Id));
        Assert.Equal(3, view.Comparisons[2].Completions.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        await host.Durable.TerminateInstanceAsync($"{runId}:labels", "test done");
    }

    [Fact]
    public async Task Links_need_valid_labelers_and_an_existing_run()
    {
        using var badLabeler = await host.Http.PostAsJsonAsync("api/runs/nope/label-links", new { labelers = new[] { "Alice Smith" } });
        using var unknownRun = await host.Http.PostAsJsonAsync("api/runs/nope/label-links", new { labelers = new[] { "alice" } });

        Assert.Equal(HttpStatusCode.BadRequest, badLabeler.StatusCode);
        Assert.Equal("$.labelers[0]", (await LabelingScenario.JsonAsync(badLabeler)).GetProperty("errors")[0].GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);
    }

    private async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Json)> PostAsync(string body)
    {
        using var response = await host.Http.PostAsync("api/label/submissions", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await LabelingScenario.JsonAsync(response));
    }

    private static string Body(object value) => System.Text.Json.JsonSerializer.Serialize(value, JsonDefaults.Options);

    private static string NewRunId() => $"lab-{Guid.NewGuid():N}"[..16];
}

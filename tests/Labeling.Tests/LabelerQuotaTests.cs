using System.Net;
using System.Text;
using Rlhf.Core.Json;
using Rlhf.Tests.Hosting;

namespace Rlhf.Labeling.Tests;

/// <summary>A batch takes exactly <c>annotatorsPerComparison</c> labelers: one more is refused and stores nothing (it would never be used).</summary>
[Collection(LocalHostCollection.Name)]
public sealed class LabelerQuotaTests(LocalHostFixture host)
{
    [Fact]
    public async Task A_labeler_beyond_the_batch_quota_is_a_409_and_is_not_stored()
    {
        var runId = $"quota-{Guid.NewGuid():N}"[..16];
        await LabelingScenario.StartAsync(host, runId, annotators: 1);
        var links = (await LabelingScenario.LinksAsync(host, runId, "alice", "bob")).Links;
        Assert.All(links, l => Assert.StartsWith(host.Host.ApiUri.ToString(), l.Url, StringComparison.Ordinal));

        using var alice = await SubmitAsync(LabelingScenario.TokenOf(links.Single(l => l.Labeler == "alice")), runId);
        using var bob = await SubmitAsync(LabelingScenario.TokenOf(links.Single(l => l.Labeler == "bob")), runId);

        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, bob.StatusCode);
        Assert.Contains("already has the 1 labeler(s)", await bob.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = await host.BlobsAsync($"runs/{runId}/labels/human/");
        Assert.Contains(stored, b => b.EndsWith("/alice.jsonl", StringComparison.Ordinal));
        Assert.DoesNotContain(stored, b => b.EndsWith("/bob.jsonl", StringComparison.Ordinal));
    }

    private Task<HttpResponseMessage> SubmitAsync(string token, string runId)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            token,
            answers = new object[]
            {
                new { comparisonId = LabelingScenario.Id(runId, "p-a"), choice = "first" },
                new { comparisonId = LabelingScenario.Id(runId, "p-b"), choice = "skip" },
                new { comparisonId = LabelingScenario.Id(runId, "p-c"), ranking = new[] { 2, 0, 1 } },
            },
        }, JsonDefaults.Options);
        return host.Http.PostAsync("api/label/submissions", new StringContent(body, Encoding.UTF8, "application/json"));
    }
}

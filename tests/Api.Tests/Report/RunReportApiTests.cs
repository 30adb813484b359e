using System.Net;
using System.Text;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests.Report;

/// <summary><c>GET /api/runs/{id}/report</c> on the real local host: the run's status and the artifacts in its blob store.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class RunReportApiTests(LocalHostFixture host)
{
    [Fact]
    public async Task Report_of_a_started_run_is_html_with_its_timeline_and_the_ppo_curves_found_in_blob_storage()
    {
        using (var start = await host.Http.PostAsync("api/runs?runId=report-1", new StringContent(LocalHostFixture.TinySpec, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        }

        var run = await host.WaitForRunAsync("report-1", r => r.Stages.Count > 0);
        await host.Store.PutAsync("runs/report-1/ppo/metrics.jsonl", Encoding.UTF8.GetBytes(
            "{\"step\":1,\"objective/scores\":0.1,\"objective/kl\":0.2}\n{\"step\":2,\"objective/scores\":0.3,\"objective/kl\":0.5}\n"));

        using var response = await host.Http.GetAsync("api/runs/report-1/report");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<code>report-1</code>", html, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"timeline\"", html, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"ppo-reward\"", html, StringComparison.Ordinal);
        Assert.Contains("objective/scores from ppo/metrics.jsonl. Not logged: objective/rlhf_reward.", html, StringComparison.Ordinal);
        Assert.Contains("<th>name</th><td><span class=\"kv\">tiny</span>", html, StringComparison.Ordinal);

        if (!run.IsFinished)
        {
            using var cancel = await host.Http.PostAsync("api/runs/report-1/cancel", null);
        }

        using var unknown = await host.Http.GetAsync("api/runs/no-such-run/report");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using Rlhf.Core.Json;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests;

/// <summary>Start → status → cancel → purge against the real engine on Azurite, and listing with filters and paging.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class RunsApiLifecycleTests(LocalHostFixture host)
{
    [Fact]
    public async Task Started_run_reports_progress_then_cancel_and_purge_remove_every_trace()
    {
        // Start: 202 with Durable-style management URLs.
        using var start = await StartAsync("life-1");
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var links = (await start.Content.ReadFromJsonAsync<RunLinks>(JsonDefaults.Options))!;
        Assert.Equal(new Uri(host.Host.ApiUri, "api/runs/life-1"), start.Headers.Location);
        Assert.Equal(start.Headers.Location!.AbsoluteUri, links.StatusQueryGetUri);
        Assert.EndsWith("/api/runs/life-1/cancel", links.TerminatePostUri, StringComparison.Ordinal);
        Assert.EndsWith("/api/runs/life-1/report", links.ReportUri, StringComparison.Ordinal);

        // The orchestration publishes its stage and progress.
        var running = await host.WaitForRunAsync("life-1", r => r.Stage is not null);
        Assert.Equal("base-policy", running.Stages[0].Stage);
        Assert.True(running.Total > 0);

        // A lost wake-up the host's sweep re-fired shows in the run's status (none happened: the list is empty until one is recorded).
        Assert.Empty(running.WakeUps);
        var due = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        await Rlhf.Core.Runs.EngineWakeUps.AppendAsync(host.Store, new Rlhf.Core.Runs.EngineWakeUp("life-1:sft", 5, due, due.AddSeconds(75)));
        var woken = (await host.Http.GetFromJsonAsync<RunDetail>("api/runs/life-1", JsonDefaults.Options))!;
        Assert.Equal([new Rlhf.Core.Runs.EngineWakeUp("life-1:sft", 5, due, due.AddSeconds(75))], woken.WakeUps);

        // A second start with the same id conflicts and changes nothing.
        using var duplicate = await StartAsync("life-1");
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        // Cancel (unless the run already failed fast), then cancelling again conflicts.
        if (!running.IsFinished)
        {
            using var cancel = await host.Http.PostAsync("api/runs/life-1/cancel", null);
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var ended = await host.WaitForRunAsync("life-1", r => r.IsFinished);
        Assert.Contains(ended.RuntimeStatus, new[] { "Terminated", "Failed" });
        using var cancelAgain = await host.Http.PostAsync("api/runs/life-1/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, cancelAgain.StatusCode);

        // The report page shows the run.
        var report = await host.Http.GetStringAsync("api/runs/life-1/report");
        Assert.Contains("life-1", report, StringComparison.Ordinal);
        Assert.Contains(ended.RuntimeStatus, report, StringComparison.Ordinal);

        // Purge removes the run, its child orchestrations and its blobs, and nothing of a run with a longer id.
        await host.Store.PutAsync("runs/life-1/extra/note.json", Encoding.UTF8.GetBytes("{\"a\":1}"));
        await host.Store.PutAsync("runs/life-10/keep.json", Encoding.UTF8.GetBytes("{}"));
        using var purge = await host.Http.DeleteAsync("api/runs/life-1");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        var outcome = (await purge.Content.ReadFromJsonAsync<PurgeOutcome>(JsonDefaults.Options))!;
        Assert.True(outcome.InstancesDeleted >= 1);
        Assert.True(outcome.ArtifactsDeleted >= 1);
        Assert.Empty(await host.InstancesAsync("life-1:"));
        Assert.DoesNotContain("life-1", await host.InstancesAsync("life-1"));
        Assert.Empty(await host.BlobsAsync("runs/life-1/"));
        Assert.Equal(["runs/life-10/keep.json"], await host.BlobsAsync("runs/life-10/"));
        using var gone = await host.Http.GetAsync("api/runs/life-1");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task List_filters_by_prefix_and_status_and_pages_with_a_continuation_token()
    {
        foreach (var id in new[] { "page-a", "page-b", "page-c" })
        {
            using var started = await StartAsync(id);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }

        using (var other = await StartAsync("other-x"))
        {
            Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var query = $"api/runs?prefix=page-&pageSize=2{(token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}")}";
            var page = (await host.Http.GetFromJsonAsync<RunPage>(query, JsonDefaults.Options))!;
            Assert.True(page.Runs.Count <= 2);
            seen.AddRange(page.Runs.Select(r => r.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(["page-a", "page-b", "page-c"], seen.Order());
        Assert.True(pages >= 2);

        var future = (await host.Http.GetFromJsonAsync<RunPage>($"api/runs?createdFrom={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}", JsonDefaults.Options))!;
        Assert.Empty(future.Runs);
        var completed = (await host.Http.GetFromJsonAsync<RunPage>("api/runs?prefix=page-&status=Completed", JsonDefaults.Options))!;
        Assert.Empty(completed.Runs);

        foreach (var id in new[] { "page-a", "page-b", "page-c", "other-x" })
        {
            await host.Http.PostAsync($"api/runs/{id}/cancel", null);
        }
    }

    private Task<HttpResponseMessage> StartAsync(string runId) =>
        host.Http.PostAsync($"api/runs?runId={runId}", new StringContent(LocalHostFixture.TinySpec, Encoding.UTF8, "application/json"));
}

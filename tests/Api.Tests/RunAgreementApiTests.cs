using System.Net;
using System.Net.Http.Json;
using System.Text;
using Rlhf.Api.Tests.Report;
using Rlhf.Core.Json;
using Rlhf.Core.Labeling;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests;

/// <summary><c>GET /api/runs/{id}/agreement</c> on the real local host, over label files in its blob store.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class RunAgreementApiTests(LocalHostFixture host)
{
    [Fact]
    public async Task AgreementIsEmptyBeforeLabelingThenReportsTheRunsLabelFiles()
    {
        using (var start = await host.Http.PostAsync("api/runs?runId=agree-1", new StringContent(LocalHostFixture.TinySpec, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        }

        var run = await host.WaitForRunAsync("agree-1", r => r.Stages.Count > 0);
        if (!run.IsFinished)
        {
            using var cancel = await host.Http.PostAsync("api/runs/agree-1/cancel", null);
        }

        await host.WaitForRunAsync("agree-1", r => r.IsFinished);
        Assert.Empty(await host.BlobsAsync("runs/agree-1/labels/")); // stopped before labeling

        var empty = await GetAsync("agree-1");
        Assert.Equal((0, 0, null), (empty.Comparisons, empty.Votes, empty.FleissKappa));
        Assert.Empty(empty.Labelers);

        await AgreementLabelSet.WriteAsync(host.Store, "agree-1");
        var report = await GetAsync("agree-1");

        Assert.Equal((3, 9, 3), (report.Comparisons, report.Votes, report.FleissItems));
        Assert.Equal(0.55, report.FleissKappa!.Value, 12);
        Assert.Equal(["ai:constitution", "human:ann", "human:bob"], report.Labelers.Select(l => l.Labeler));
        Assert.Equal(0.4, report.LabelerPairs.Single(p => (p.A, p.B) == ("human:ann", "human:bob")).CohenKappa!.Value, 12);
        Assert.Equal(2.0 / 3, report.JudgeHuman!.Agreement!.Value, 12);
        Assert.Equal(4.0 / 6, Assert.Single(report.PositionBias).FirstPositionShare!.Value, 12);
    }

    [Fact]
    public async Task UnknownRunIsAProblem404()
    {
        using var response = await host.Http.GetAsync("api/runs/no-such-run/agreement");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ApiProblem>(JsonDefaults.Options))!;
        Assert.Equal((404, "There is no run with id 'no-such-run'."), (problem.Status, problem.Detail));
    }

    private async Task<AgreementReport> GetAsync(string runId)
    {
        using var response = await host.Http.GetAsync($"api/runs/{runId}/agreement");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<AgreementReport>(JsonDefaults.Options))!;
    }
}

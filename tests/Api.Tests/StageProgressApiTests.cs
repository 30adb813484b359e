using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rlhf.Core.Json;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests;

/// <summary>Progress inside a stage as <c>GET /api/runs/{id}</c> reports it while a trainer job runs.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class StageProgressApiTests(LocalHostFixture host)
{
    [Fact]
    public async Task Mid_sft_the_run_shows_the_jobs_steps_a_live_wall_time_and_only_sft_metrics()
    {
        var spec = JsonNode.Parse(LocalHostFixture.TinySpec)!;
        spec["basePolicy"]!["sft"]!["steps"] = 2000; // long enough to be caught mid-way
        using var start = await host.Http.PostAsync("api/runs?runId=progress-1", new StringContent(spec.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(start.IsSuccessStatusCode, await start.Content.ReadAsStringAsync());

        try
        {
            var run = await host.WaitForRunAsync("progress-1", r => r.IsFinished || r.Stages is [{ Done: > 0 }], TimeSpan.FromSeconds(90));
            Assert.False(run.IsFinished, run.Error);
            var sft = Assert.Single(run.Stages);

            // the complaint: 0 % and 00:00:00 while the report knew "sft Running 540 / 800"
            Assert.Equal("base-policy", sft.Stage);
            Assert.Null(sft.FinishedUtc);
            Assert.Equal(2000, sft.Total);
            Assert.InRange(sft.Done, 1, 1999);
            Assert.Equal("steps", sft.Unit);
            Assert.True(sft.Seconds > 0, $"stage wall time {sft.Seconds}");
            Assert.True(run.WallSeconds > 0, $"run wall time {run.WallSeconds}");
            Assert.Equal((sft.Done, sft.Total), (run.Done, run.Total));
            Assert.InRange(run.Progress!.Value, 0.0001, 0.9999);
            Assert.All(sft.Metrics.Keys, k => Assert.StartsWith("sft/", k, StringComparison.Ordinal));

            // the wall time is live: later reads are later, though the orchestration has not changed
            await Task.Delay(1100);
            var later = (await host.Http.GetFromJsonAsync<RunDetail>("api/runs/progress-1", JsonDefaults.Options))!;
            Assert.True(later.Stages[0].Seconds > sft.Seconds, $"{later.Stages[0].Seconds} after {sft.Seconds}");
        }
        finally
        {
            using var cancel = await host.Http.PostAsync("api/runs/progress-1/cancel", null);
        }
    }
}

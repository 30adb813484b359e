using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests;

/// <summary>
/// Reuse over the API (docs/reuse.md): a rerun with a changed PPO setting, the two runs compared, and purge — which refuses
/// while another run reuses the run's steps, and afterwards offers them to no run.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class RunReuseApiTests(LocalHostFixture host)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Rerun_compare_and_purge_of_a_run_whose_steps_another_run_reuses()
    {
        // a small run of its own seed, so no other test's step matches its keys
        var spec = JsonNode.Parse(LocalHostFixture.ReusableTinySpec(seed: 7101))!;
        spec["basePolicy"]!["sft"]!["steps"] = 12;
        spec["policy"]!["ppo"]!["iterations"] = 1;
        await StartAsync("reuse-api-a", spec);
        var a = await host.WaitForRunAsync("reuse-api-a", r => r.IsFinished, RunTimeout);
        Assert.Equal("Completed", a.RuntimeStatus);
        Assert.True(a.Reuse);

        // rerun from the policy stage with a changed learning rate
        using (var rerun = await PostAsync("api/runs/reuse-api-a/rerun?runId=reuse-api-b", """{"from":"policy","set":{"policy.ppo.learningRate":0.0003}}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, rerun.StatusCode);
        }

        var b = await host.WaitForRunAsync("reuse-api-b", r => r.IsFinished, RunTimeout);
        Assert.Equal("Completed", b.RuntimeStatus);
        Assert.Equal(("reuse-api-a", "policy"), (b.RerunOf, b.RerunFrom));
        Assert.Equal(
            ["base-policy:reuse-api-a", "samples:reuse-api-a", "labels:reuse-api-a", "reward:reuse-api-a", "policy:", "evaluate:"],
            b.Stages.Where(s => s.Stage is not ("publish" or "completed")).Select(s => $"{s.Stage}:{s.ReusedFrom}"));
        var input = (await host.Durable.GetInstanceAsync("reuse-api-b", getInputsAndOutputs: true))!.ReadInputAs<RlhfRunInput>()!;
        Assert.Equal(0.0003, input.Spec.Policy.Ppo["learningRate"]!.GetValue<double>());
        // the reused reward stage shows its own held-out accuracy, the RM's, in B's status and report
        Assert.Equal(a.Metrics["rm/heldout_accuracy"], b.Stages.Single(s => s.Stage == "reward").Metrics["rm/heldout_accuracy"]);
        var report = await host.Http.GetStringAsync("api/runs/reuse-api-b/report");
        Assert.Contains("reused from run <code>reuse-api-a</code>", report, StringComparison.Ordinal);

        // compare: the learning rate is the one spec difference; metrics side by side with deltas from the first run
        var comparison = (await host.Http.GetFromJsonAsync<RunComparison>("api/runs/compare?ids=reuse-api-a,reuse-api-b", JsonDefaults.Options))!;
        Assert.Equal(["reuse-api-a", "reuse-api-b"], comparison.Runs.Select(r => r.Id));
        Assert.Equal(["$.policy.ppo.learningRate"], comparison.Differences.Select(d => d.Path));
        var accuracy = comparison.Metrics.Single(m => m.Key == "rm/heldout_accuracy");
        Assert.Equal([a.Metrics["rm/heldout_accuracy"], a.Metrics["rm/heldout_accuracy"]], accuracy.Values);
        Assert.Equal([null, 0.0], accuracy.Deltas);
        var gold = comparison.Metrics.Single(m => m.Key == "eval/gold");
        Assert.Equal(b.Metrics["eval/gold"] - a.Metrics["eval/gold"], gold.Deltas[1]!.Value, 12);
        var page = await host.Http.GetStringAsync(new Uri(comparison.ReportUri!).PathAndQuery.TrimStart('/'));
        foreach (var chart in new[] { "cmp-rm-accuracy", "cmp-reward", "cmp-kl", "cmp-gold-kl" })
        {
            Assert.Contains($"<figure id=\"{chart}\">", page, StringComparison.Ordinal);
        }

        Assert.Contains("data-chart=\"cmp-reward\"", page, StringComparison.Ordinal);

        // purge of A refuses while B reuses its steps, and changes nothing
        using (var refused = await host.Http.DeleteAsync("api/runs/reuse-api-a"))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var detail = (string)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]!;
            Assert.Contains("run(s) 'reuse-api-b' reuse its steps", detail, StringComparison.Ordinal);
        }

        Assert.NotEmpty(await host.BlobsAsync("runs/reuse-api-a/sft/model/"));
        Assert.Contains(await host.BlobsAsync("reuse/keys/"), p => p.EndsWith("/reuse-api-a.json", StringComparison.Ordinal));

        // purge B, then A: A's steps are withdrawn from reuse with it
        using (var purgeB = await host.Http.DeleteAsync("api/runs/reuse-api-b"))
        {
            Assert.Equal(HttpStatusCode.OK, purgeB.StatusCode);
        }

        using (var purgeA = await host.Http.DeleteAsync("api/runs/reuse-api-a"))
        {
            Assert.Equal(HttpStatusCode.OK, purgeA.StatusCode);
        }

        Assert.DoesNotContain(await host.BlobsAsync("reuse/"), p => p.Contains("reuse-api-a", StringComparison.Ordinal) || p.Contains("reuse-api-b", StringComparison.Ordinal));

        // the same spec again: its SFT step runs (a purged run's steps are not offered)
        await StartAsync("reuse-api-c", spec);
        try
        {
            var c = await host.WaitForRunAsync("reuse-api-c", r => r.IsFinished || r.Stages.Count > 1, RunTimeout);
            Assert.Null(c.Stages[0].ReusedFrom);
            Assert.True(await host.Store.ExistsAsync("runs/reuse-api-c/sft/manifest.json"), "SFT ran again");
        }
        finally
        {
            using var cancel = await host.Http.PostAsync("api/runs/reuse-api-c/cancel", null);
        }
    }

    [Fact]
    public async Task No_reuse_on_start_is_recorded_in_the_run_and_an_unknown_set_path_is_named()
    {
        var spec = JsonNode.Parse(LocalHostFixture.ReusableTinySpec(seed: 7102))!;
        using (var start = await PostAsync("api/runs?runId=reuse-api-off&reuse=false", spec.ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        }

        try
        {
            var run = await host.WaitForRunAsync("reuse-api-off", r => r.Stage is not null);
            Assert.False(run.Reuse);

            // --set paths are checked like any spec: the error names the JSON path, and nothing is started
            using var rerun = await PostAsync("api/runs/reuse-api-off/rerun?runId=reuse-api-off2", """{"from":"policy","set":{"policy.ppo.learningRat":0.1}}""");
            Assert.Equal(HttpStatusCode.BadRequest, rerun.StatusCode);
            Assert.Contains("$.policy.ppo.learningRat", await rerun.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Empty(await host.InstancesAsync("reuse-api-off2"));
        }
        finally
        {
            using var cancel = await host.Http.PostAsync("api/runs/reuse-api-off/cancel", null);
        }
    }

    private async Task StartAsync(string runId, JsonNode spec)
    {
        using var start = await PostAsync($"api/runs?runId={runId}", spec.ToJsonString());
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json) =>
        host.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}

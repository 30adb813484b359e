using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Activities.Constitution;
using Rlhf.Activities.Labeling;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests;

/// <summary>Constitutional AI end to end: SL-CAI then RL-CAI (mode ai) on the real local host, engine, Azurite and trainer.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class SupervisedCaiRunTests(LocalHostFixture host)
{
    [Fact]
    public async Task A_tiny_run_with_the_supervised_stage_critiques_revises_fine_tunes_and_then_trains_on_ai_labels()
    {
        var spec = JsonNode.Parse(LocalHostFixture.TinySpec, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        spec["name"] = "cai";
        spec["labeling"] = new JsonObject { ["mode"] = "ai", ["batchSize"] = 8 };
        spec["constitution"] = new JsonObject
        {
            ["supervised"] = new JsonObject
            {
                ["redTeamPrompts"] = "datasets/tiny/prompts.redteam.train.jsonl",
                ["promptLimit"] = 6,
                ["rounds"] = 2,
                ["candidates"] = 3,
                ["principles"] = new JsonObject { ["helpful"] = 1, ["harmless"] = 2, ["honest"] = 0 },
                ["sft"] = new JsonObject { ["steps"] = 4, ["batchSize"] = 4, ["blockSize"] = 32, ["evalEvery"] = 0, ["learningRate"] = 3e-4, ["minLr"] = 3e-5, ["warmupSteps"] = 1 },
            },
        };

        using var start = await host.Http.PostAsync("api/runs?runId=cai-e2e", new StringContent(spec.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var run = await host.WaitForRunAsync("cai-e2e", r => r.IsFinished, TimeSpan.FromMinutes(20));
        Assert.True(run.RuntimeStatus == "Completed", $"{run.RuntimeStatus}: {run.Error}");
        Assert.Equal(["base-policy", "sl-cai", "samples", "labels", "reward", "policy", "evaluate", "publish"], run.Stages.Select(s => s.Stage).Where(s => s != "completed"));

        // Round 1 critiqued every prompt (the first 6 of each file: train, then red team) against a drawn principle, named in the artifact with the round.
        var redTeam = (await host.Store.ReadAsync("datasets/tiny/prompts.redteam.train.jsonl")).Count(b => b == '\n');
        var critiques = Jsonl.Deserialize<CaiCritique>("critiques", await host.Store.ReadAsync(CaiLayout.Critiques("cai-e2e", 1)));
        Assert.Equal(6 + Math.Min(6, redTeam), critiques.Count);
        Assert.Equal(6, critiques.Count(c => c.PromptId.StartsWith('r')));
        Assert.All(critiques, c => Assert.True(c.Round == 1 && c.Principle is "helpful" or "harmless" && c.Critic == "local", $"{c.Principle} {c.Round} {c.Critic}"));
        Assert.All(critiques.Where(c => c.NeedsRevision), c => Assert.NotEmpty(c.Violations));
        Assert.Contains(critiques, c => c.Principle == "harmless");

        // Each round's revisions keep a response unless a resampled one scored higher under the critiqued principle.
        var rounds = (int)run.Metrics["sl-cai/rounds"];
        var finals = Jsonl.Deserialize<CaiRevision>("revisions", await host.Store.ReadAsync(CaiLayout.Revisions("cai-e2e", rounds)));
        Assert.Equal(critiques.Select(c => c.PromptId), finals.Select(f => f.PromptId));
        Assert.All(finals, f => Assert.True(f.Revised ? f.ScoreAfter > f.ScoreBefore && f.After != f.Before : f.After == f.Before, $"{f.PromptId}: {f.ScoreBefore} -> {f.ScoreAfter}"));

        // The fine-tuning pairs are (prompt, final revision), the loss on the revisions; the SL-CAI policy then feeds sampling, the RM and PPO.
        var pairs = Encoding.UTF8.GetString(await host.Store.ReadAsync(CaiLayout.Pairs("cai-e2e"))).TrimEnd('\n').Split('\n')
            .Select(l => JsonDocument.Parse(l).RootElement).Select(e => (e.GetProperty("prompt").GetString(), e.GetProperty("response").GetString()));
        Assert.Equal(finals.Select(f => ((string?)f.Prompt, (string?)f.After)), pairs);
        var sftJob = JsonSerializer.Deserialize<JobSpec>(await host.Store.ReadAsync(ArtifactLayout.JobSpec("cai-e2e-sl-cai-sft")), JsonDefaults.Options)!;
        Assert.Equal((JobVerbs.Sft, CaiLayout.Pairs("cai-e2e"), "runs/cai-e2e/sft/model"), (sftJob.Verb, sftJob.Inputs[JobInputs.Pairs], sftJob.Inputs[JobInputs.Policy]));
        var slCaiPolicy = "runs/cai-e2e/sl-cai/sft/model";
        Assert.True(await host.Store.ExistsAsync($"{slCaiPolicy}/config.json") || (await host.BlobsAsync($"{slCaiPolicy}/")).Count > 0);
        var sampleJob = JsonSerializer.Deserialize<JobSpec>(await host.Store.ReadAsync(ArtifactLayout.JobSpec("cai-e2e-samples-shard-0")), JsonDefaults.Options)!;
        Assert.Equal(slCaiPolicy, sampleJob.Inputs[JobInputs.Policy]);
        var evaluateJob = JsonSerializer.Deserialize<JobSpec>(await host.Store.ReadAsync(ArtifactLayout.JobSpec("cai-e2e-evaluate")), JsonDefaults.Options)!;
        Assert.Equal("runs/cai-e2e/sft/model", evaluateJob.Inputs[JobInputs.Reference]);

        // RL-CAI: the preferences come from the local constitution judge.
        var preferences = Jsonl.Deserialize<PreferenceRecord>("preferences", await host.Store.ReadAsync(ArtifactLayout.Preferences("cai-e2e")));
        Assert.NotEmpty(preferences);
        Assert.All(preferences, p => Assert.Equal("ai:constitution", p.Labeler));
        var report = await host.Http.GetStringAsync("api/runs/cai-e2e/report");
        Assert.Contains("Constitutional AI: supervised stage (SL-CAI)", report, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"cai-tradeoff\"", report, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rlhf.Api;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.FunctionApp.Nightly;
using Rlhf.FunctionApp.Tests.Support;

namespace Rlhf.FunctionApp.Tests;

/// <summary>
/// Three nights through the Function App's TimerTrigger wrapper (<see cref="NightlyFunction"/>) and the FunctionApp's own
/// [Function] wrappers under the Durable test host, with the real trainer and <c>configs/nightly.json</c>: cold start →
/// first champion; a slot that fires during night 1 is skipped and says so; warm night 2 rigged to fall short of the
/// margin is kept, not promoted; warm night 3 is promoted exactly when its figure beats the champion's, and trains on
/// all three nights' labels.
/// </summary>
public sealed class NightlyNightsTests
{
    private static readonly DateTimeOffset FirstSlot = new(2025, 3, 4, 2, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan NightTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task ColdWarmWarmNightsCompleteARiggedNightIsKeptAndAnOverlappingSlotIsSkipped()
    {
        await using var host = await WrapperHost.StartAsync();
        await host.SeedTinyDatasetAsync();
        var specFile = Path.Combine(host.Root, "nightly.json");
        var clock = new FixedClock(FirstSlot.AddSeconds(1));
        var function = new NightlyFunction(
            Options.Create(new NightlyOptions { Schedule = "0 0 2 * * *", Spec = specFile }),
            host.Services.GetRequiredService<IArtifactStore>(), clock, NullLogger<NightlyFunction>.Instance);

        // night 1: cold start; the next night's timer fires while it runs and is skipped
        await WriteSpecAsync(specFile, minImprovement: 0);
        Assert.Equal((NightlyOutcome.Started, "nightly-20250304T020000Z"), await function.FireAsync(host.Client));
        clock.Now = FirstSlot.AddDays(1);
        var overlap = await function.FireAsync(host.Client);
        Assert.Equal((NightlyOutcome.PreviousStillRunning, "nightly-20250304T020000Z"), overlap);
        Assert.Equal("skipped: the previous nightly run nightly-20250304T020000Z is still running", NightlyRuns.Describe(overlap.Outcome, overlap.RunId));
        var first = await CompletedAsync(host, "nightly-20250304T020000Z");
        Assert.True(first.Publish.Promoted, first.Publish.Reason);
        Assert.Null(await host.Client.GetInstanceAsync("nightly-20250305T020000Z"));

        // night 2: warm, rigged with a margin no policy beats: kept, the champion stays
        await WriteSpecAsync(specFile, minImprovement: 1000);
        clock.Now = FirstSlot.AddDays(2);
        Assert.Equal((NightlyOutcome.Started, "nightly-20250306T020000Z"), await function.FireAsync(host.Client));
        var second = await CompletedAsync(host, "nightly-20250306T020000Z");
        Assert.False(second.Publish.Promoted, second.Publish.Reason);
        Assert.Equal((second.Metrics[MetricKeys.Gold], first.Publish.Candidate), (second.Publish.Candidate, second.Publish.ChampionScore));
        Assert.Equal("nightly-20250304T020000Z", (await host.Store.ReadJsonAsync<Champion>(ArtifactLayout.Champion)).RunId);
        var status = (await host.Client.GetInstanceAsync("nightly-20250306T020000Z", getInputsAndOutputs: true))!.ReadCustomStatusAs<RunStatus>()!;
        Assert.StartsWith("kept, not promoted: ", status.Message, StringComparison.Ordinal);

        // night 3: warm, the gate decides on the figures; its reward model trained on night 1's, night 2's and its own labels
        await WriteSpecAsync(specFile, minImprovement: 0);
        clock.Now = FirstSlot.AddDays(3);
        Assert.Equal((NightlyOutcome.Started, "nightly-20250307T020000Z"), await function.FireAsync(host.Client));
        var third = await CompletedAsync(host, "nightly-20250307T020000Z");
        Assert.Equal(first.Publish.Candidate, third.Publish.ChampionScore);
        Assert.Equal(third.Publish.Candidate > third.Publish.ChampionScore, third.Publish.Promoted);
        Assert.Equal(third.Publish.Promoted ? "nightly-20250307T020000Z" : "nightly-20250304T020000Z", (await host.Store.ReadJsonAsync<Champion>(ArtifactLayout.Champion)).RunId);
        var summary = await host.Store.ReadJsonAsync<PreferenceSummary>(ArtifactLayout.PreferenceSummary("nightly-20250307T020000Z"));
        Assert.Equal(["nightly-20250304T020000Z", "nightly-20250306T020000Z", "nightly-20250307T020000Z"], summary.Runs.Select(r => r.RunId));
        Assert.All(summary.Runs, r => Assert.Equal(12 * 3, r.Comparisons));
    }

    private static async Task WriteSpecAsync(string file, double minImprovement)
    {
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRootOf(AppContext.BaseDirectory), "configs", "nightly.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        spec["publish"]!["minImprovement"] = minImprovement;
        await File.WriteAllTextAsync(file, spec.ToJsonString());
    }

    private static string RepoRootOf(string folder) =>
        File.Exists(Path.Combine(folder, "Pipeline.sln")) ? folder : RepoRootOf(Path.GetDirectoryName(folder) ?? throw new DirectoryNotFoundException("Pipeline.sln not found"));

    private static async Task<RlhfRunResult> CompletedAsync(WrapperHost host, string runId)
    {
        var meta = await host.WaitAsync(runId, NightTimeout);
        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{runId}: {meta.RuntimeStatus} {meta.FailureDetails}");
        return meta.ReadOutputAs<RlhfRunResult>()!;
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Tests.Shared;

namespace Rlhf.Cli.Tests;

/// <summary>
/// Three nights of the local host's schedule (<see cref="NightlySchedule"/>, what <c>serve --nightly</c> runs) on the real
/// engine, store and trainer, with <c>configs/nightly.json</c>: a cold start that becomes the first champion, a warm night
/// rigged to fall short of the gate's margin (kept, not promoted), a warm night that the gate decides on its figures and
/// that trains on all three nights' labels; and a slot that fires while a night is still running is skipped, and the log says so.
/// </summary>
public sealed class NightlyScheduleTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 1, 59, 0, TimeSpan.Zero);
    private static readonly TimeSpan NightTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task ThreeNightsColdWarmWarmWithAKeptNightAndASkippedOverlap()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var dataDir = Path.Combine(Path.GetTempPath(), $"rlhf-nightly-{suffix}");
        try
        {
            await RunThreeNightsAsync(azurite, suffix, dataDir);
        }
        finally
        {
            await azurite.DisposeAsync();
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    private static async Task RunThreeNightsAsync(AzuriteFixture azurite, string suffix, string dataDir)
    {
        await using var host = await LocalHost.StartAsync(new LocalHostOptions
        {
            Port = 0, Storage = azurite.ConnectionString, TaskHub = $"n{suffix}", Container = $"n{suffix}", DataDir = dataDir,
        });
        var client = host.Services.GetRequiredService<DurableTaskClient>();
        var store = host.Services.GetRequiredService<IArtifactStore>();
        var specFile = Path.Combine(dataDir, "nightly.json");
        await WriteSpecAsync(specFile, minImprovement: 0);
        var clock = new ManualClock(Start);
        var log = new ListLogger();
        using var schedule = new NightlySchedule(new NightlyScheduleOptions("0 0 2 * * *", specFile, host.Context.ArtifactStoreLocation), client, clock, log);
        await schedule.StartAsync(CancellationToken.None);

        // night 1 (cold start); the next slot fires while it still runs: skipped, and the log says so
        const string night1 = "nightly-20250304T020000Z";
        Assert.EndsWith($"started {night1}", await FireAsync(clock, log, Start.AddMinutes(1)), StringComparison.Ordinal);
        Assert.EndsWith($"skipped: the previous nightly run {night1} is still running",
            await FireAsync(clock, log, Start.AddDays(1).AddMinutes(1)), StringComparison.Ordinal);
        Assert.Null(await client.GetInstanceAsync("nightly-20250305T020000Z"));
        var first = await CompletedAsync(client, night1);
        Assert.True(first.Publish.Promoted, first.Publish.Reason);
        Assert.StartsWith("first champion", first.Publish.Reason, StringComparison.Ordinal);
        Assert.True(await store.ExistsAsync($"runs/{night1}/sft/manifest.json"), "a cold start trains its SFT policy");

        // night 2 (warm), rigged: a margin no policy can beat, so it is kept and the champion stays
        await WriteSpecAsync(specFile, minImprovement: 1000);
        const string night2 = "nightly-20250306T020000Z";
        Assert.EndsWith($"started {night2}", await FireAsync(clock, log, Start.AddDays(2).AddMinutes(1)), StringComparison.Ordinal);
        var second = await CompletedAsync(client, night2);
        Assert.False(second.Publish.Promoted, second.Publish.Reason);
        Assert.Equal(first.Publish.Candidate, second.Publish.ChampionScore);
        Assert.Equal(second.Metrics[MetricKeys.Gold], second.Publish.Candidate);
        Assert.False(await store.ExistsAsync($"runs/{night2}/sft/manifest.json"), "a warm start trains no SFT policy");
        Assert.Equal(night1, (await store.ReadJsonAsync<Champion>(ArtifactLayout.Champion)).RunId);
        var kept = await store.ReadJsonAsync<PublishResult>(ArtifactLayout.PublishDecision(night2));
        Assert.StartsWith("kept, not promoted: ", kept.Describe(), StringComparison.Ordinal);

        // night 3 (warm): the gate decides on the figures; it trains on night 1's, the kept night 2's and its own labels
        await WriteSpecAsync(specFile, minImprovement: 0);
        const string night3 = "nightly-20250307T020000Z";
        Assert.EndsWith($"started {night3}", await FireAsync(clock, log, Start.AddDays(3).AddMinutes(1)), StringComparison.Ordinal);
        var third = await CompletedAsync(client, night3);
        Assert.Equal(first.Publish.Candidate, third.Publish.ChampionScore);
        Assert.Equal(third.Publish.Candidate > third.Publish.ChampionScore, third.Publish.Promoted);
        Assert.Equal(third.Publish.Promoted ? night3 : night1, (await store.ReadJsonAsync<Champion>(ArtifactLayout.Champion)).RunId);
        var summary = await store.ReadJsonAsync<PreferenceSummary>(ArtifactLayout.PreferenceSummary(night3));
        Assert.Equal([night1, night2, night3], summary.Runs.Select(r => r.RunId));
        Assert.All(summary.Runs, r => Assert.Equal(12 * 3, r.Comparisons)); // 12 prompts, C(3,2) pairs each, none dropped
        var lines = (await store.ReadAsync(ArtifactLayout.Preferences(night3))).Count(b => b == (byte)'\n');
        Assert.Equal(summary.Comparisons, lines);

        await schedule.StopAsync(CancellationToken.None);
    }

    private static async Task WriteSpecAsync(string file, double minImprovement)
    {
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot.Find()!, "configs", "nightly.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        spec["publish"]!["minImprovement"] = minImprovement;
        await File.WriteAllTextAsync(file, spec.ToJsonString());
    }

    /// <summary>Moves the clock to <paramref name="time"/> once the schedule waits for it, and returns the slot's log line.</summary>
    private static async Task<string> FireAsync(ManualClock clock, ListLogger log, DateTimeOffset time)
    {
        await PollAsync(() => clock.Waiting > 0, "the schedule to wait for its next slot");
        var before = log.Slots.Count;
        clock.AdvanceTo(time);
        await PollAsync(() => log.Slots.Count > before, $"the slot at {time:O}");
        return log.Slots[before];
    }

    private static async Task<RlhfRunResult> CompletedAsync(DurableTaskClient client, string runId)
    {
        using var cts = new CancellationTokenSource(NightTimeout);
        var meta = await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);
        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{runId}: {meta.RuntimeStatus} {meta.FailureDetails}");
        return meta.ReadOutputAs<RlhfRunResult>()!;
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>The schedule's log lines, formatted.</summary>
    private sealed class ListLogger : ILogger<NightlySchedule>
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Slots => [.. _lines.Where(l => l.StartsWith("Nightly slot", StringComparison.Ordinal))];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));
    }
}

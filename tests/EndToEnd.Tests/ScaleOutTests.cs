using Rlhf.Activities.Jobs;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Rlhf.EndToEnd.Tests;

/// <summary>
/// Issue 16, scale-out: two workers on one task hub (two <c>rlhf serve</c> processes on one Azurite, one container), as a
/// Function App scaled out to two instances. Activities, trainer jobs among them, go to whichever worker dequeues them, so
/// a job started by one worker has its status asked by either. While the PPO trainer runs, the worker that started it is
/// killed with SIGKILL (its trainer runs on, as after a crash); the other worker carries the run to the end. Both workers
/// share a pid scope here, so the survivor judges the orphaned trainer by its pid and lets it finish as attempt 1. The
/// outputs must be hash-identical to the undisturbed run.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ScaleOutTests(EndToEndFixture fixture, ITestOutputHelper output)
{
    private const string RunId = EndToEndFixture.RunId;

    [Fact]
    public async Task ARunOnTwoWorkersSurvivesTheWorkerRunningItsTrainerKilledWithIdenticalOutputs()
    {
        await using var pipeline = fixture.NewPipeline("scaleout");
        await pipeline.StartHostAsync();
        var second = await pipeline.StartWorkerAsync("b");
        await pipeline.StartRunAsync(RunId, EndToEndFixture.Spec);

        // 1. the PPO trainer runs; both workers report the same run
        var ppo = await pipeline.WaitForAsync(
            RunId,
            async run => run.Stage == "policy" && await pipeline.ReadProcessRecordAsync($"{RunId}-ppo") is { ExitCode: null, Worker: not null } record
                && Processes.IsRunning(record.ProcessId)
                && (await pipeline.Store.ReadVersionedJsonAsync<JobStatus>(JobStatus.PathFor($"runs/{RunId}/ppo")))?.Value is { State: JobState.Running }
                    ? record
                    : null,
            EndToEndFixture.RunTimeout,
            "the PPO trainer to run");
        var stages = await StagesSeenByEachWorkerAsync(pipeline);
        var starter = pipeline.Workers.Single(w => w.ProcessId == ppo.Worker!.ProcessId);
        var submitters = await SubmittersAsync(pipeline);

        // 2. kill -9 the worker that started it; the other one carries on
        await pipeline.KillWorkerAsync(starter);
        var killedAt = DateTime.UtcNow;
        Assert.True(Processes.IsRunning(ppo.ProcessId), $"The PPO trainer (pid {ppo.ProcessId}) should outlive its killed worker.");
        var seenBySurvivor = await pipeline.GetRunAsync(RunId);
        var run = await pipeline.WaitForCompletionAsync(RunId, EndToEndFixture.RunTimeout);

        Assert.Equal(["policy", "policy"], stages);
        Assert.Equal("policy", seenBySurvivor.Stage);
        var policy = run.Stages.Single(s => s.Stage == "policy");
        Assert.True(policy.StartedUtc < killedAt && policy.FinishedUtc > killedAt, $"policy ran {policy.StartedUtc:O} → {policy.FinishedUtc:O}, not across the kill at {killedAt:O}");
        var final = await pipeline.ReadProcessRecordAsync($"{RunId}-ppo");
        Assert.Equal(1, final!.Attempt); // the survivor saw the orphan by its pid: never declared it lost
        Assert.Equal(ppo.StartedUtc, final.StartedUtc);
        output.WriteLine($"PPO trainer (pid {ppo.ProcessId}) started by worker {ppo.Host}, which was killed; the run finished on the other");
        output.WriteLine($"jobs submitted per worker before the kill: {string.Join(", ", submitters.Select(s => $"{s.Key}: {s.Value}"))}");
        output.WriteLine($"second worker pid {second.ProcessId}");

        var disturbed = await RunFingerprint.ReadAsync(pipeline.Store, RunId);
        disturbed.AssertIdenticalTo(await fixture.BaselineAsync());
        output.WriteLine($"{disturbed.Hashes.Count} step outputs identical to the undisturbed run");
    }

    /// <summary>The run's stage as each running worker's API reports it.</summary>
    private static async Task<IReadOnlyList<string?>> StagesSeenByEachWorkerAsync(ServedPipeline pipeline)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var stages = new List<string?>();
        foreach (var worker in pipeline.Workers)
        {
            var run = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<Rlhf.Api.RunDetail>(
                http, new Uri(worker.ApiUri, $"api/runs/{RunId}"), Rlhf.Core.Json.JsonDefaults.Options);
            stages.Add(run!.Stage);
        }

        return stages;
    }

    /// <summary>How many job attempts each worker submitted (their attempt records name it).</summary>
    private static async Task<IReadOnlyDictionary<string, int>> SubmittersAsync(ServedPipeline pipeline)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var path in pipeline.Store.ListAsync("jobs/"))
        {
            if (path.Split('/') is [_, _, var file] && file.StartsWith("attempt-", StringComparison.Ordinal) && file.EndsWith(".json", StringComparison.Ordinal)
                && (await pipeline.Store.ReadVersionedJsonAsync<JobAttemptRecord>(path))?.Value is { } attempt)
            {
                counts[attempt.Host] = counts.GetValueOrDefault(attempt.Host) + 1;
            }
        }

        return counts;
    }
}

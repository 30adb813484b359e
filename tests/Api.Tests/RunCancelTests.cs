using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Rlhf.Activities.Jobs;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Artifacts;
using Rlhf.EndToEnd.Tests.Support;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests;

/// <summary>Cancelling a run stops the trainer process it started, and purging it removes the job folders too.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class RunCancelTests(LocalHostFixture host)
{
    private const string RunId = "cancel-1";

    [Fact]
    public async Task Cancel_kills_the_running_trainer_and_purge_removes_its_job_folders()
    {
        await DatasetSeeder.SeedAsync(host.Store, RepoRoot.Find(), NullLogger.Instance);
        using var start = await host.Http.PostAsync($"api/runs?runId={RunId}", new StringContent(LocalHostFixture.TinySpec, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);

        var (path, running) = await RunningTrainerAsync(TimeSpan.FromMinutes(2));
        Assert.True(Processes.IsRunning(running.ProcessId), $"trainer {running.ProcessId} should be running");

        using var cancel = await host.Http.PostAsync($"api/runs/{RunId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        // The process is killed and the runner records its exit; no further job of the run starts.
        var exited = await UntilAsync(async () => await host.Store.ReadJsonAsync<JobProcessRecord>(path) is { ExitCode: not null } r ? r : null, TimeSpan.FromSeconds(20));
        Assert.False(Processes.IsRunning(running.ProcessId));
        Assert.NotEqual(0, exited.ExitCode);
        var ended = await host.WaitForRunAsync(RunId, r => r.IsFinished);
        Assert.Equal("Terminated", ended.RuntimeStatus);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal([path], await ProcessRecordsAsync());

        using var purge = await host.Http.DeleteAsync($"api/runs/{RunId}");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Empty(await host.BlobsAsync($"jobs/{RunId}-"));
        Assert.Empty(await host.BlobsAsync($"runs/{RunId}/"));
    }

    /// <summary>The first process record of the run's jobs that has no exit code yet.</summary>
    private Task<RunningJob> RunningTrainerAsync(TimeSpan timeout) =>
        UntilAsync(async () =>
        {
            foreach (var path in await ProcessRecordsAsync())
            {
                if (await host.Store.ReadJsonAsync<JobProcessRecord>(path) is { ExitCode: null } record)
                {
                    return new RunningJob(path, record);
                }
            }

            return null;
        }, timeout);

    private async Task<List<string>> ProcessRecordsAsync() =>
        [.. (await host.BlobsAsync($"jobs/{RunId}-")).Where(b => b.EndsWith("/process.json", StringComparison.Ordinal))];

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {timeout}");
            }

            await Task.Delay(200);
        }
    }

    private sealed record RunningJob(string Path, JobProcessRecord Record);
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;

namespace Rlhf.Activities.Tests;

/// <summary>
/// The real runner with real child processes (<c>script_trainer.py</c> stands in for rlhf-trainer: same command line,
/// same heartbeat and manifest). A second runner over the same store plays the host after a restart.
/// </summary>
public sealed class LocalJobRunnerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-runner-").FullName;
    private readonly LocalArtifactStore _store;

    public LocalJobRunnerTests() => _store = new LocalArtifactStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private LocalJobRunner Runner(params (string Name, string Value)[] environment)
    {
        var options = new LocalJobRunnerOptions
        {
            Launcher = "python3",
            TrainerPath = Path.Combine(AppContext.BaseDirectory, "script_trainer.py"),
            WorkDirectory = Path.Combine(_root, "work"),
        };
        foreach (var (name, value) in environment)
        {
            options.EnvironmentVariables[name] = value;
        }

        return new LocalJobRunner(_store, Options.Create(options), NullLogger<LocalJobRunner>.Instance);
    }

    private JobSpec Spec(string jobId = "j1") => new() { Verb = JobVerbs.Reward, JobId = jobId, Store = _store.Location, Output = $"runs/r/{jobId}" };

    private static async Task<JobProgress> UntilAsync(IJobRunner runner, JobHandle job, Func<JobProgress, bool> done)
    {
        for (var i = 0; i < 300; i++)
        {
            var progress = await runner.GetStatusAsync(job);
            if (done(progress))
            {
                return progress;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"job {job.JobId} never reached the expected state");
    }

    [Fact]
    public async Task SuccessfulJobReportsItsManifestAndWritesSpecAttemptAndLog()
    {
        using var runner = Runner();

        var job = await runner.SubmitAsync(Spec(), 1);
        var again = await runner.SubmitAsync(Spec(), 1); // a retried SubmitJob activity
        var done = await UntilAsync(runner, job, p => p.State is JobState.Succeeded or JobState.Failed);

        Assert.Equal(job, again);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("runs/r/j1/manifest.json", done.Manifest!.Path);
        Assert.Equal(ContentHash.Sha256(await _store.ReadAsync("runs/r/j1/manifest.json")), done.Manifest.Sha256);
        Assert.Equal(1.0, done.Metrics!["reward/loss"]);
        Assert.Equal("j1", (await _store.ReadJsonAsync<JobSpec>(ArtifactLayout.JobSpec("j1"))).JobId);
        Assert.True(await _store.ExistsAsync(ArtifactLayout.JobAttempt("j1", 1)));
        await UntilAsync(runner, job, _ => File.Exists(Path.Combine(_root, "jobs", "j1", "attempt-1.log")));
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "runs", "r", "j1", "model")));
    }

    [Fact]
    public async Task ProcessThatDiesWithoutManifestIsFailedWithItsExitCode()
    {
        using var runner = Runner(("SCRIPT_FAIL_ATTEMPTS", "1"));

        var job = await runner.SubmitAsync(Spec(), 1);
        var done = await UntilAsync(runner, job, p => p.State is JobState.Succeeded or JobState.Failed);

        Assert.Equal(JobState.Failed, done.State);
        Assert.StartsWith("exited with code 3 without a manifest", done.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterAHostRestartALiveJobIsAdoptedAndADeadOneIsFailed()
    {
        using var first = Runner(("SCRIPT_SLEEP", "30"));
        var job = await first.SubmitAsync(Spec(), 1);
        await UntilAsync(first, job, p => p.State == JobState.Running && p.TotalSteps == 2); // heartbeat seen

        using var restarted = Runner(); // a new host: knows nothing but the store
        var adopted = await restarted.GetStatusAsync(job);
        await restarted.CancelAsync(job); // kills the recorded process
        var lost = await UntilAsync(restarted, job, p => p.State != JobState.Running);

        Assert.Equal(JobState.Running, adopted.State);
        Assert.Equal(JobState.Failed, lost.State);
        Assert.Contains("without a manifest", lost.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAttemptThatNeverStartedIsFailedSoItGetsResubmitted()
    {
        using var runner = Runner();

        var progress = await runner.GetStatusAsync(new JobHandle("ghost", JobVerbs.Sft, "runs/r/ghost", 1));

        Assert.Equal(JobState.Failed, progress.State);
        Assert.Contains("no process record", progress.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsAJobForAnotherStoreAndAChangedSpecUnderTheSameId()
    {
        using var runner = Runner(("SCRIPT_SLEEP", "5"));
        await runner.SubmitAsync(Spec(), 1);

        await Assert.ThrowsAsync<ArgumentException>(() => runner.SubmitAsync(Spec() with { Store = "/elsewhere" }, 1));
        await Assert.ThrowsAsync<ArtifactConflictException>(() => runner.SubmitAsync(Spec() with { Seed = 99 }, 2));
        await runner.CancelAsync(new JobHandle("j1", JobVerbs.Reward, "runs/r/j1", 1));
    }
}

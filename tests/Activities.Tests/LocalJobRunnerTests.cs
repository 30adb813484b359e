using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Tests.Support;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.TrainerJob.Runtime;
using Rlhf.Tests.Shared;

namespace Rlhf.Activities.Tests;

/// <summary>
/// The real runner driving the real trainer (<see cref="RealTrainer"/>) as child processes: <c>sft</c> on a 1-layer,
/// 16-wide GPT over a slice of the tiny corpus, a few steps in a few seconds. The trainer's own fault injection
/// (<see cref="JobContext.CrashAtStepVariable"/>) kills a job mid-run; a job of a million steps stays alive until killed.
/// A second runner over the same store plays the host after a restart.
/// </summary>
public sealed class LocalJobRunnerTests : IDisposable
{
    private const string Corpus = "data/corpus.txt";
    private const int LongJobSteps = 1_000_000;

    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-runner-").FullName;
    private readonly LocalArtifactStore _store;

    public LocalJobRunnerTests()
    {
        _store = new LocalArtifactStore(Path.Combine(_root, "store"));
        var corpus = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "tiny", "corpus.txt"));
        _store.PutAsync(Corpus, System.Text.Encoding.UTF8.GetBytes(corpus[..20_000])).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A killed child may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }

    private LocalJobRunner Runner(params (string Name, string Value)[] environment)
    {
        var options = new LocalJobRunnerOptions();
        RealTrainer.Configure(options, _root, environment.ToDictionary(e => e.Name, e => e.Value));
        return new LocalJobRunner(_store, Options.Create(options), NullLogger<LocalJobRunner>.Instance);
    }

    /// <summary>A from-scratch <c>sft</c> job: batches of 2 windows of 16 bytes, heartbeat at step 0, every 10 steps and at the end.</summary>
    private JobSpec Sft(string jobId = "j1", int steps = 4) => new()
    {
        Verb = JobVerbs.Sft,
        JobId = jobId,
        Store = _store.Location,
        Output = $"runs/r/{jobId}",
        Inputs = new Dictionary<string, string> { [JobInputs.Corpus] = Corpus },
        Params = new JsonObject
        {
            ["steps"] = steps,
            ["batchSize"] = 2,
            ["blockSize"] = 16,
            ["warmupSteps"] = 1,
            ["evalEvery"] = 0,
            ["evalWindows"] = 4,
            ["model"] = new JsonObject { ["n_layer"] = 1, ["n_head"] = 2, ["n_embd"] = 16, ["n_positions"] = 16 },
        },
        Seed = 3,
        Threads = 1,
        CheckpointEvery = 0,
        ProgressEvery = 10,
    };

    private static async Task<JobProgress> UntilAsync(IJobRunner runner, JobHandle job, Func<JobProgress, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var progress = await runner.GetStatusAsync(job);
            if (done(progress))
            {
                return progress;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"job {job.JobId} never reached the expected state; last: {progress}");
            }

            await Task.Delay(100);
        }
    }

    private static bool Finished(JobProgress progress) => progress.State is JobState.Succeeded or JobState.Failed;

    [Fact]
    public async Task SuccessfulJobReportsItsManifestAndWritesSpecAttemptAndLog()
    {
        using var runner = Runner();

        var job = await runner.SubmitAsync(Sft(), 1);
        var again = await runner.SubmitAsync(Sft(), 1); // a retried SubmitJob activity
        var done = await UntilAsync(runner, job, Finished);
        await UntilAsync(runner, job, _ => File.Exists(Path.Combine(_root, "store", "jobs", "j1", "attempt-1.log"))); // uploaded at exit

        Assert.Equal(job, again);
        Assert.True(done.State == JobState.Succeeded, done.Message);
        Assert.Equal("runs/r/j1/manifest.json", done.Manifest!.Path);
        Assert.Equal(ContentHash.Sha256(await _store.ReadAsync("runs/r/j1/manifest.json")), done.Manifest.Sha256);
        Assert.InRange(done.Metrics!["sft/loss"], 0.1, 10); // a real cross-entropy over 258 byte ids (ln 258 = 5.55 at random)
        Assert.Contains(done.Outputs, o => o.Path == "runs/r/j1/model/model.safetensors");
        Assert.Equal("j1", (await _store.ReadJsonAsync<JobSpec>(ArtifactLayout.JobSpec("j1"))).JobId);
        Assert.True(await _store.ExistsAsync(ArtifactLayout.JobAttempt("j1", 1)));
        var log = System.Text.Encoding.UTF8.GetString(await _store.ReadAsync(ArtifactLayout.JobLog("j1", 1)));
        Assert.Contains("[sft] step 4/4", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessThatDiesWithoutManifestIsFailedWithItsExitCode()
    {
        using var runner = Runner((JobContext.CrashAtStepVariable, "2"));

        var job = await runner.SubmitAsync(Sft(), 1);
        var done = await UntilAsync(runner, job, Finished);

        Assert.Equal(JobState.Failed, done.State);
        Assert.StartsWith("exited with code 137 without a manifest", done.Message, StringComparison.Ordinal);
        Assert.False(done.Permanent); // a crash is worth another attempt, unlike a rejected spec
        Assert.False(await _store.ExistsAsync("runs/r/j1/manifest.json"));
    }

    [Fact]
    public async Task AfterAHostRestartALiveJobIsAdoptedAndADeadOneIsFailed()
    {
        using var first = Runner();
        var job = await first.SubmitAsync(Sft(steps: LongJobSteps), 1);
        try
        {
            await UntilAsync(first, job, p => p.State == JobState.Running && p.TotalSteps == LongJobSteps); // heartbeat seen

            using var restarted = Runner(); // a new host: knows nothing but the store
            var adopted = await restarted.GetStatusAsync(job);
            await restarted.CancelAsync(job); // kills the recorded process
            var lost = await UntilAsync(restarted, job, p => p.State != JobState.Running);

            Assert.Equal(JobState.Running, adopted.State);
            Assert.Equal(LongJobSteps, adopted.TotalSteps);
            Assert.Equal(JobState.Failed, lost.State);
            Assert.Contains("without a manifest", lost.Message, StringComparison.Ordinal);
            Assert.Equal(JobState.Failed, (await UntilAsync(first, job, Finished)).State); // the old host saw it die too
        }
        finally
        {
            await first.CancelAsync(job);
        }
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
        using var runner = Runner();
        var job = await runner.SubmitAsync(Sft(), 1);

        await Assert.ThrowsAsync<ArgumentException>(() => runner.SubmitAsync(Sft() with { Store = "/elsewhere" }, 1));
        await Assert.ThrowsAsync<ArtifactConflictException>(() => runner.SubmitAsync(Sft() with { Seed = 99 }, 2));
        Assert.Equal(JobState.Succeeded, (await UntilAsync(runner, job, Finished)).State); // the job as first submitted runs on
    }

    [LinuxFact]
    public async Task ARecordedProcessThatIsAZombieIsFailedNotRunning()
    {
        // sh starts a short child, prints its pid, then becomes `sleep 30`, which never reaps it: once the child exits
        // it is a zombie that /proc still lists. The child runs through a link named "t) R (x", so its stat line reads
        // "{pid} (t) R (x) Z ..." and only the state after the last ')' is the real one.
        var link = Path.Combine(_root, "t) R (x");
        File.CreateSymbolicLink(link, "/bin/sleep");
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-c", "\"$0\" 0.1 & echo $!; exec sleep 30", link })
        {
            info.ArgumentList.Add(arg);
        }

        using var parent = Process.Start(info)!;
        try
        {
            var zombie = int.Parse((await parent.StandardOutput.ReadLineAsync())!, System.Globalization.CultureInfo.InvariantCulture);
            while (!File.ReadAllText($"/proc/{zombie}/stat").Contains(") Z ", StringComparison.Ordinal))
            {
                await Task.Delay(20);
            }

            await RecordProcessAsync("live", parent.Id);
            await RecordProcessAsync("zombie", zombie);
            using var runner = Runner(); // a host that did not start either process

            var live = await runner.GetStatusAsync(new JobHandle("live", JobVerbs.Sft, "runs/r/live", 1));
            var dead = await runner.GetStatusAsync(new JobHandle("zombie", JobVerbs.Sft, "runs/r/zombie", 1));

            Assert.Equal(JobState.Running, live.State);
            Assert.Equal(JobState.Failed, dead.State);
            Assert.Equal($"process {zombie} is gone without a manifest", dead.Message);
        }
        finally
        {
            parent.Kill();
        }
    }

    /// <summary>Writes the process record a runner leaves for attempt 1 of <paramref name="jobId"/> running as <paramref name="pid"/>.</summary>
    private async Task RecordProcessAsync(string jobId, int pid)
    {
        using var process = Process.GetProcessById(pid);
        var record = new JobProcessRecord(jobId, 1, Environment.MachineName, pid, process.StartTime.ToUniversalTime());
        await _store.OverwriteJsonAsync(ArtifactLayout.JobProcess(jobId), record);
    }
}

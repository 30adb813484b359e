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
using Rlhf.EndToEnd.Tests.Support;
using Rlhf.Tests.Shared;

namespace Rlhf.Activities.Tests;

/// <summary>
/// The real runner driving the real trainer (<see cref="RealTrainer"/>) as child processes: <c>sft</c> on a 1-layer,
/// 16-wide GPT over a slice of the tiny corpus, a few steps in a few seconds. The trainer's own fault injection
/// (<see cref="JobContext.CrashAtStepVariable"/>) kills a job mid-run; a job of a million steps stays alive until killed.
/// A second runner over the same store plays the host after a restart; disposing the first plays its death (it stops
/// watching and leaves its trainers running, as a killed host does).
/// </summary>
public sealed class LocalJobRunnerTests : IDisposable
{
    private const int LongJobSteps = 1_000_000;

    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-runner-").FullName;
    private readonly LocalArtifactStore _store;

    public LocalJobRunnerTests()
    {
        _store = new LocalArtifactStore(Path.Combine(_root, "store"));
        TinySft.SeedCorpusAsync(_store).GetAwaiter().GetResult();
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

    private JobSpec Sft(string jobId = "j1", int steps = 4) => TinySft.Spec(_store.Location, jobId, $"runs/r/{jobId}", steps);

    private static Task<JobProgress> UntilAsync(IJobRunner runner, JobHandle job, Func<JobProgress, bool> done) => TinySft.UntilAsync(runner, job, done);

    private static bool Finished(JobProgress progress) => TinySft.Finished(progress);

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

    [LinuxFact]
    public async Task ATrainerHoldsNoPipeOfItsHostAndRunsInItsOwnSession()
    {
        using var runner = Runner();
        var job = await runner.SubmitAsync(Sft(steps: LongJobSteps), 1);
        try
        {
            var pid = (await ProcessRecordAsync("j1")).ProcessId;
            // the record is written right after the start, maybe before sh has exec'd setsid, and setsid the trainer
            for (var deadline = DateTime.UtcNow.AddSeconds(30); !IsTheTrainer(Processes.CommandLine(pid)) && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(20);
            }

            Assert.Equal("/dev/null", FileDescriptorTarget(pid, 0));
            var log = Path.Combine(_root, ".work", "j1", "attempt-1.log");
            Assert.Equal(log, FileDescriptorTarget(pid, 1));
            Assert.Equal(log, FileDescriptorTarget(pid, 2));
            Assert.Equal(pid, SessionOf(pid)); // setsid: a signal to the host's group or session does not reach it
            Assert.NotEqual(SessionOf(Environment.ProcessId), SessionOf(pid));
            Assert.Contains("rlhf-trainer.dll sft", Processes.CommandLine(pid), StringComparison.Ordinal); // the recorded pid is the trainer itself
        }
        finally
        {
            await runner.CancelAsync(job);
        }
    }

    [Fact]
    public async Task ATrainerOutlivesItsHostAndARestartedHostSeesItSucceedAndUploadsItsLog()
    {
        var first = Runner();
        var job = await first.SubmitAsync(Sft(steps: 300), 1);
        await ProcessRecordAsync("j1");
        first.Dispose(); // the host goes away while the trainer starts

        using var restarted = Runner(); // a new host: knows nothing but the store
        var done = await UntilAsync(restarted, job, Finished);

        Assert.True(done.State == JobState.Succeeded, done.Message);
        // the manifest (Succeeded) comes before the trainer's exit record
        await UntilAsync(restarted, job, _ => File.Exists(Path.Combine(_root, "store", "runs", "r", "j1", "exit.json")));
        var exit = await _store.ReadJsonAsync<JobExitRecord>(JobExitRecord.PathFor("runs/r/j1"));
        Assert.Equal(("j1", 1, JobExitCodes.Succeeded), (exit.JobId, exit.Attempt, exit.ExitCode)); // written by the trainer: no host watched it exit
        Assert.Null((await ProcessRecordAsync("j1")).ExitCode);
        var log = System.Text.Encoding.UTF8.GetString(await _store.ReadAsync(ArtifactLayout.JobLog("j1", 1)));
        Assert.Contains("[sft] step 300/300", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterItsHostDiedALiveJobIsAdoptedAndOneKilledWithTheMachineIsLostNotFailed()
    {
        var first = Runner();
        var job = await first.SubmitAsync(Sft(steps: LongJobSteps), 1);
        try
        {
            await UntilAsync(first, job, p => p.State == JobState.Running && p.TotalSteps == LongJobSteps); // heartbeat seen
            first.Dispose(); // the host dies; its trainer runs on

            using var restarted = Runner();
            var adopted = await restarted.GetStatusAsync(job);
            var pid = (await ProcessRecordAsync("j1")).ProcessId;
            await Processes.KillHardAsync(pid); // the machine's crash takes the trainer too: nobody sees an exit code
            var lost = await UntilAsync(restarted, job, p => p.State != JobState.Running);

            Assert.Equal(JobState.Running, adopted.State);
            Assert.Equal(LongJobSteps, adopted.TotalSteps);
            Assert.Equal(JobState.Lost, lost.State);
            Assert.Equal($"process {pid} is gone without an exit code or a manifest", lost.Message);
            Assert.False(await _store.ExistsAsync(JobExitRecord.PathFor("runs/r/j1")));
            Assert.True(await _store.ExistsAsync(ArtifactLayout.JobLog("j1", 1)), "the host that saw the loss uploads the log");
        }
        finally
        {
            using var cleanup = Runner();
            await cleanup.CancelAsync(job);
        }
    }

    [LinuxFact]
    public async Task ATrainerThatFailsWithNoHostWatchingRecordsItsOwnExit()
    {
        var first = Runner();
        var job = await first.SubmitAsync(Sft(steps: LongJobSteps), 1);
        await UntilAsync(first, job, p => p.State == JobState.Running && p.TotalSteps == LongJobSteps);
        first.Dispose();

        var pid = (await ProcessRecordAsync("j1")).ProcessId;
        using (var term = Process.Start("/bin/kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(); // the trainer cancels itself: status Failed, exit code 1
        }

        using var restarted = Runner();
        await UntilAsync(restarted, job, _ => File.Exists(Path.Combine(_root, "store", "runs", "r", "j1", "exit.json")));
        var done = await restarted.GetStatusAsync(job);

        Assert.Equal(JobState.Failed, done.State);
        Assert.StartsWith("exited with code 1 without a manifest: cancelled", done.Message, StringComparison.Ordinal);
        Assert.False(done.Permanent);
    }

    [Fact]
    public async Task ATrainerKilledWhileItsHostWatchesIsFailedWithItsExitCode()
    {
        using var runner = Runner();
        var job = await runner.SubmitAsync(Sft(steps: LongJobSteps), 1);
        await UntilAsync(runner, job, p => p.State == JobState.Running && p.TotalSteps == LongJobSteps);

        await Processes.KillHardAsync((await ProcessRecordAsync("j1")).ProcessId);
        var done = await UntilAsync(runner, job, Finished);

        Assert.Equal(JobState.Failed, done.State);
        Assert.StartsWith("exited with code 137 without a manifest", done.Message, StringComparison.Ordinal);
        using var restarted = Runner(); // the exit record tells a later host the same
        Assert.Equal(done.Message, (await restarted.GetStatusAsync(job)).Message);
    }

    [Fact]
    public async Task ARejectedSpecIsAPermanentFailureWithTheTrainersMessage()
    {
        using var runner = Runner();
        var spec = Sft();
        spec.Params["noSuchParameter"] = 1;

        var done = await UntilAsync(runner, await runner.SubmitAsync(spec, 1), Finished);

        Assert.Equal(JobState.Failed, done.State);
        Assert.True(done.Permanent, done.Message);
        Assert.Contains("exited with code 2 without a manifest: rlhf-trainer: invalid job:", done.Message, StringComparison.Ordinal);
        Assert.Contains("noSuchParameter", done.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAttemptThatNeverStartedIsLostSoItGetsResubmitted()
    {
        using var runner = Runner();

        var progress = await runner.GetStatusAsync(new JobHandle("ghost", JobVerbs.Sft, "runs/r/ghost", 1));

        Assert.Equal(JobState.Lost, progress.State);
        Assert.Contains("no process record", progress.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJobOfAnotherMachineIsJudgedByItsHeartbeatNotByAPidThisHostCannotSee()
    {
        using var runner = Runner();
        var job = new JobHandle("remote", JobVerbs.Sft, "runs/r/remote", 1);
        var started = DateTimeOffset.UtcNow.AddMinutes(-30);
        // pid 2147483 is nobody's here: on its own machine the process may well live
        await _store.OverwriteJsonAsync(ArtifactLayout.JobProcess("remote"), new JobProcessRecord("remote", 1, "another-machine", 2_147_483, started));

        await WriteHeartbeatAsync(job, DateTimeOffset.UtcNow.AddSeconds(-5));
        var fresh = await runner.GetStatusAsync(job);
        await WriteHeartbeatAsync(job, DateTimeOffset.UtcNow - new LocalJobRunnerOptions().ForeignJobStaleAfter - TimeSpan.FromMinutes(1));
        var stale = await runner.GetStatusAsync(job);

        Assert.Equal((JobState.Running, 7L), (fresh.State, fresh.Step));
        Assert.Equal(JobState.Lost, stale.State);
        Assert.Contains("no heartbeat for", stale.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStalenessLimitThatIsNotPositiveIsRefusedAtStartUp()
    {
        var options = new LocalJobRunnerOptions { ForeignJobStaleAfter = TimeSpan.Zero };

        var error = Assert.Throws<OptionsValidationException>(() => new LocalJobRunner(_store, Options.Create(options), NullLogger<LocalJobRunner>.Instance));

        Assert.Contains("ForeignJobStaleAfter must be positive", error.Message, StringComparison.Ordinal);
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
    public async Task ARecordedProcessThatIsAZombieIsLostNotRunning()
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
            Assert.Equal(JobState.Lost, dead.State);
            Assert.Equal($"process {zombie} is gone without an exit code or a manifest", dead.Message);
        }
        finally
        {
            parent.Kill();
        }
    }

    /// <summary>Waits for the process record of attempt 1 of <paramref name="jobId"/>.</summary>
    private async Task<JobProcessRecord> ProcessRecordAsync(string jobId)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            if ((await _store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess(jobId)))?.Value is { Attempt: 1 } record)
            {
                return record;
            }
        }

        throw new TimeoutException($"{jobId} was never started");
    }

    private Task WriteHeartbeatAsync(JobHandle job, DateTimeOffset updated) =>
        _store.OverwriteJsonAsync(JobStatus.PathFor(job.Output), new JobStatus { JobId = job.JobId, Verb = job.Verb, State = JobState.Running, Attempt = 1, Step = 7, TotalSteps = 9, UpdatedUtc = updated });

    private static bool IsTheTrainer(string commandLine) =>
        commandLine.Contains("rlhf-trainer.dll", StringComparison.Ordinal) && !commandLine.Contains("setsid", StringComparison.Ordinal) && !commandLine.StartsWith("/bin/sh", StringComparison.Ordinal);

    /// <summary>What file descriptor <paramref name="fd"/> of <paramref name="pid"/> is open on.</summary>
    private static string FileDescriptorTarget(int pid, int fd) => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget ?? "";

    /// <summary>The session id of <paramref name="pid"/> (field 6 of <c>/proc/{pid}/stat</c>).</summary>
    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Writes the process record a runner leaves for attempt 1 of <paramref name="jobId"/> running as <paramref name="pid"/>.</summary>
    private async Task RecordProcessAsync(string jobId, int pid)
    {
        using var process = Process.GetProcessById(pid);
        var record = new JobProcessRecord(jobId, 1, Environment.MachineName, pid, process.StartTime.ToUniversalTime());
        await _store.OverwriteJsonAsync(ArtifactLayout.JobProcess(jobId), record);
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Tests.Support;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Tests.Shared;

namespace Rlhf.Activities.Tests;

/// <summary>
/// Several workers on one store (two <c>rlhf serve</c> on one task hub): each job's status must be right whichever worker
/// asks. Worker A is a <see cref="LocalJobRunner"/> whose identity (<see cref="WorkerHost"/>) is a helper process of this
/// machine (a <c>sleep</c>), so killing that process is A's death as the other worker sees it; worker B is this process.
/// </summary>
public sealed class WorkerScaleOutTests : IDisposable
{
    private const int LongJobSteps = 1_000_000;

    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-workers-").FullName;
    private readonly LocalArtifactStore _store;
    private readonly Process _workerA = Process.Start("sleep", "300");
    private readonly List<LocalJobRunner> _runners = [];

    public WorkerScaleOutTests()
    {
        _store = new LocalArtifactStore(Path.Combine(_root, "store"));
        TinySft.SeedCorpusAsync(_store).GetAwaiter().GetResult();
    }

    private WorkerHost HostA => new($"worker-a#{_workerA.Id}", WorkerHost.Current.PidScope, _workerA.Id, _workerA.StartTime.ToUniversalTime());

    public void Dispose()
    {
        foreach (var runner in _runners)
        {
            foreach (var job in new[] { "j1", "j2" })
            {
                runner.CancelAsync(new JobHandle(job, JobVerbs.Sft, $"runs/r/{job}", 1)).GetAwaiter().GetResult();
            }

            runner.Dispose();
        }

        if (!_workerA.HasExited)
        {
            _workerA.Kill();
        }

        _workerA.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a killed trainer may still hold a file for a moment
        }
    }

    private LocalJobRunner Runner(WorkerHost? host = null, int slots = 2)
    {
        var options = new LocalJobRunnerOptions();
        RealTrainer.Configure(options, _root);
        options.MaxConcurrentJobs = slots;
        var runner = new LocalJobRunner(_store, Options.Create(options), NullLogger<LocalJobRunner>.Instance, host: host);
        _runners.Add(runner);
        return runner;
    }

    private JobSpec Sft(string jobId, int steps = LongJobSteps) => TinySft.Spec(_store.Location, jobId, $"runs/r/{jobId}", steps);

    [LinuxFact]
    public async Task AWorkerOfTheSamePidScopeJudgesAndStopsATrainerAnotherWorkerStartedByItsPid()
    {
        var a = Runner(HostA);
        var b = Runner();
        var job = await a.SubmitAsync(Sft("j1"), 1);
        await TinySft.UntilAsync(a, job, p => p.State == JobState.Running && p.TotalSteps == LongJobSteps);

        var seenByB = await b.GetStatusAsync(job);
        var record = (await _store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess("j1")))!.Value;
        await b.CancelAsync(job); // B can see the pid, so B stops it
        var ended = await TinySft.UntilAsync(b, job, TinySft.Finished);

        Assert.Equal((JobState.Running, (long)LongJobSteps), (seenByB.State, seenByB.TotalSteps));
        Assert.Equal(HostA.Name, record.Host);
        Assert.Equal(new WorkerRef(HostA.PidScope, HostA.ProcessId, HostA.StartedUtc), record.Worker);
        Assert.Equal(JobState.Failed, ended.State);
        Assert.StartsWith("exited with code 137 without a manifest", ended.Message, StringComparison.Ordinal); // A saw the exit and recorded it
    }

    [LinuxFact]
    public async Task AnAttemptWaitingForASlotOnAnotherWorkerIsPendingWhileThatWorkerLivesAndLostOnceItDied()
    {
        var a = Runner(HostA, slots: 1);
        var b = Runner();
        var first = await a.SubmitAsync(Sft("j1"), 1);
        await TinySft.UntilAsync(a, first, p => p.State == JobState.Running);
        var waiting = await a.SubmitAsync(Sft("j2"), 1);

        var whileALives = await b.GetStatusAsync(waiting);
        _workerA.Kill();
        await _workerA.WaitForExitAsync();
        var afterADied = await b.GetStatusAsync(waiting);

        Assert.Equal(JobState.Pending, whileALives.State);
        Assert.Equal($"waiting for a free job slot on {HostA.Name}", whileALives.Message);
        Assert.Equal(JobState.Lost, afterADied.State);
        Assert.Contains("no process record", afterADied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARecordOfAnotherPidScopeIsJudgedByItsHeartbeatEvenFromAHostOfTheSameMachineName()
    {
        var b = Runner();
        var job = new JobHandle("j1", JobVerbs.Sft, "runs/r/j1", 1);
        // another container on this machine: same machine name, its own pid namespace; pid 2147483 means nothing here
        var started = DateTimeOffset.UtcNow.AddMinutes(-30);
        await _store.OverwriteJsonAsync(ArtifactLayout.JobProcess("j1"), new JobProcessRecord("j1", 1, $"{Environment.MachineName}#7", 2_147_483, started)
        {
            Worker = new WorkerRef("another-boot/pid:[4026532000]", 7, started),
        });

        await WriteHeartbeatAsync(job, DateTimeOffset.UtcNow.AddSeconds(-5));
        var fresh = await b.GetStatusAsync(job);
        await WriteHeartbeatAsync(job, DateTimeOffset.UtcNow - ArtifactJobStatus.DefaultStaleAfter - TimeSpan.FromMinutes(1));
        var stale = await b.GetStatusAsync(job);

        Assert.Equal(JobState.Running, fresh.State); // not Lost, although no process 2147483 lives here
        Assert.Equal(JobState.Lost, stale.State);
        Assert.Contains("no heartbeat for", stale.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAttemptThatASuccessorSupersededWhileItWaitedForASlotNeverStarts()
    {
        var runner = Runner(slots: 1);
        var first = await runner.SubmitAsync(Sft("j1"), 1);
        await TinySft.UntilAsync(runner, first, p => p.State == JobState.Running);
        var waiting = await runner.SubmitAsync(Sft("j2"), 1);

        // its monitor gave attempt 1 up (another worker judged it lost) and submitted attempt 2 elsewhere
        await _store.PutJsonAsync(ArtifactLayout.JobAttempt("j2", 2), new JobAttemptRecord("j2", 2, "elsewhere#1", DateTimeOffset.UtcNow));
        await runner.CancelAsync(first); // the slot frees
        var ended = await TinySft.UntilAsync(runner, waiting, p => p.State != JobState.Pending);

        Assert.Equal(JobState.Failed, ended.State);
        Assert.Equal("not started: attempt 2 superseded it", ended.Message);
        Assert.False(await _store.ExistsAsync(ArtifactLayout.JobProcess("j2")));
    }

    private Task WriteHeartbeatAsync(JobHandle job, DateTimeOffset updated) =>
        _store.OverwriteJsonAsync(JobStatus.PathFor(job.Output), new JobStatus { JobId = job.JobId, Verb = job.Verb, State = JobState.Running, Attempt = 1, Step = 7, TotalSteps = 9, UpdatedUtc = updated });
}

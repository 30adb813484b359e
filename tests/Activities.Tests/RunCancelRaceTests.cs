using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Tests.Support;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.EndToEnd.Tests.Support;
using Rlhf.Tests.Shared;

namespace Rlhf.Activities.Tests;

/// <summary>
/// Cancel and purge are final, even against a <c>SubmitJob</c> that is in flight while the run is cancelled: a
/// <see cref="GatedStore"/> holds the submission at an exact write (before its attempt is recorded, or after its
/// trainer started but before that process is recorded) while <see cref="RunJobs.CancelUnfinishedAsync"/> runs,
/// as the API's cancel does. Afterwards no trainer of the run lives and a purge (the run's artifacts, then
/// <see cref="RunJobs.DeleteAsync"/>) leaves nothing but the data set, so the run id can be used again.
/// </summary>
public sealed class RunCancelRaceTests : IDisposable
{
    private const string RunId = "r1";
    private const string JobId = "r1-sft";

    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-cancel-").FullName;
    private readonly LocalArtifactStore _store;

    public RunCancelRaceTests()
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

    private LocalJobRunner Runner(IArtifactStore store)
    {
        var options = new LocalJobRunnerOptions();
        RealTrainer.Configure(options, _root);
        return new LocalJobRunner(store, Options.Create(options), NullLogger<LocalJobRunner>.Instance);
    }

    private JobSpec Sft(int steps = 1_000_000) => TinySft.Spec(_store.Location, JobId, $"runs/{RunId}/sft", steps);

    [LinuxFact]
    public async Task ASubmissionHeldBeforeItRecordsItsAttemptDuringTheCancelNeverStartsATrainer()
    {
        var gated = new GatedStore(_store, ArtifactLayout.JobAttempt(JobId, 1));
        using var runner = Runner(gated);
        var submit = runner.SubmitAsync(Sft(), 1);
        await gated.Reached;

        var cancelled = await RunJobs.CancelUnfinishedAsync(_store, runner, RunId); // lists the job: no attempt recorded yet
        gated.Open();
        var job = await submit;
        var progress = await TinySft.UntilAsync(runner, job, TinySft.Finished);

        Assert.Equal(0, cancelled);
        Assert.Equal((JobState.Failed, "not started: its run was cancelled"), (progress.State, progress.Message));
        Assert.False(await _store.ExistsAsync(ArtifactLayout.JobProcess(JobId)), "no process may start");
        Assert.Empty(Trainers());
        await AssertPurgeLeavesNothingAsync();
        await AssertTheRunIdIsUsableAgainAsync();
    }

    [LinuxFact]
    public async Task ATrainerThatStartsWhileTheCancelListsTheJobsIsKilled()
    {
        var gated = new GatedStore(_store, ArtifactLayout.JobProcess(JobId));
        using var runner = Runner(gated);
        var job = await runner.SubmitAsync(Sft(), 1);
        await gated.Reached; // its trainer has started; its process record is not written yet

        using var apiHost = Runner(_store); // the cancel runs on another host, which finds no process to stop
        var cancelled = await RunJobs.CancelUnfinishedAsync(_store, apiHost, RunId);
        gated.Open();
        var progress = await TinySft.UntilAsync(runner, job, TinySft.Finished);

        Assert.Equal(1, cancelled);
        Assert.Equal(JobState.Failed, progress.State);
        Assert.StartsWith("exited with code 137", progress.Message, StringComparison.Ordinal);
        Assert.Empty(Trainers());
        await AssertPurgeLeavesNothingAsync();
    }

    [Fact]
    public async Task ASubmissionAfterTheCancelIsRefusedAndWritesNothing()
    {
        using var runner = Runner(_store);
        await RunJobs.CancelUnfinishedAsync(_store, runner, RunId);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.SubmitAsync(Sft(), 1));

        Assert.Contains("its run was cancelled", refused.Message, StringComparison.Ordinal);
        Assert.False(await _store.ListAsync($"jobs/{JobId}/").AnyAsync());
    }

    /// <summary>Running trainers of this test's job (their command line names its spec file).</summary>
    private IReadOnlyList<int> Trainers() => Processes.FindByCommandLine(_store.GetUri(ArtifactLayout.JobSpec(JobId)).LocalPath);

    /// <summary>A purge leaves the data set and the run's tombstone, and a submission of the purged run arriving even later is refused.</summary>
    private async Task AssertPurgeLeavesNothingAsync()
    {
        await _store.DeletePrefixAsync(ArtifactLayout.Run(RunId) + "/");
        await RunJobs.DeleteAsync(_store, RunId);

        Assert.Equal([TinySft.Corpus, RunJobs.CancelMarker(RunId)], (await _store.ListAsync(string.Empty).ToListAsync()).Order(StringComparer.Ordinal));
        using var late = Runner(_store);
        await Assert.ThrowsAsync<InvalidOperationException>(() => late.SubmitAsync(Sft(), 1));
        Assert.False(await _store.ListAsync($"jobs/{JobId}/").AnyAsync(), "a submission after the purge wrote into the purged run");
    }

    /// <summary>Starting a new run under the id (the API releases the tombstone first) works as for a fresh id.</summary>
    private async Task AssertTheRunIdIsUsableAgainAsync()
    {
        await RunJobs.ReleaseIdAsync(_store, RunId);
        using var runner = Runner(_store);
        var job = await runner.SubmitAsync(Sft(steps: 4), 1);

        Assert.Equal(JobState.Succeeded, (await TinySft.UntilAsync(runner, job, TinySft.Finished)).State);
    }
}

using System.Text.RegularExpressions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.EndToEnd.Tests.Support;
using Rlhf.Orchestrations.Tests.Support;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// A machine crash during SFT, twice: the trainer is SIGKILLed and its host forgotten (the runner that started it is
/// disposed and a fresh one, over the same store, takes its place, as a restarted host would). Nobody sees an exit
/// code, so each attempt is Lost, not Failed: with <c>maxAttempts: 2</c> the job still completes, resumed from its
/// checkpoint, on attempt 3.
/// </summary>
public sealed partial class RunTrainingJobHostLossTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task AJobLostWithItsHostTwiceIsResubmittedOutsideItsFailureBudgetAndResumes()
    {
        var hosts = new RestartableRunner();
        await using var host = await WorkflowHost.StartAsync(configure: services => services.Replace(ServiceDescriptor.Singleton<IJobRunner>(sp => hosts.Start(sp))));
        await host.SeedTinyDatasetAsync();
        var input = new RunTrainingJobInput(
            JobSpecs.Sft("run1", host.Store.Location, RealTrainer.TinySpec(sftSteps: 3000, checkpointEvery: 100)),
            new JobPolicy(MaxAttempts: 2, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(2)) { MaxLostAttempts = 3 });

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, input);
        var killedAt = 0L;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var victim = await RunningPastAsync(host.Store, attempt, killedAt + 100);
            killedAt = victim.Step;
            hosts.Restart(); // the host is gone: nobody watches its trainer any more
            await Processes.KillHardAsync(victim.ProcessId); // and the trainer dies with the machine
        }

        var meta = await host.WaitAsync(id, Timeout);

        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        Assert.Equal(3, meta.ReadOutputAs<TrainingJobResult>()!.Attempts);
        var resumed = await LogAsync(host.Store, ArtifactLayout.JobLog("run1-sft", 3));
        var match = ResumedAt().Match(resumed);
        Assert.True(match.Success && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 100, $"attempt 3 did not resume from a checkpoint:\n{resumed}");
        var status = await host.Store.ReadJsonAsync<JobStatus>(JobStatus.PathFor("runs/run1/sft"));
        Assert.Equal((JobState.Succeeded, 3000L), (status.State, status.Step));
        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.JobAttempt("run1-sft", 4)), "no fourth attempt may be submitted");
    }

    [Fact]
    public async Task LostAttemptsHaveTheirOwnBudget()
    {
        var hosts = new RestartableRunner();
        await using var host = await WorkflowHost.StartAsync(configure: services => services.Replace(ServiceDescriptor.Singleton<IJobRunner>(sp => hosts.Start(sp))));
        await host.SeedTinyDatasetAsync();
        var input = new RunTrainingJobInput(
            JobSpecs.Sft("run1", host.Store.Location, RealTrainer.TinySpec(sftSteps: 100_000, checkpointEvery: 0)),
            new JobPolicy(MaxAttempts: 3, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(2)) { MaxLostAttempts = 1 });

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RunTrainingJob, input);
        var victim = await RunningPastAsync(host.Store, attempt: 1, step: 1);
        hosts.Restart();
        await Processes.KillHardAsync(victim.ProcessId);
        var meta = await host.WaitAsync(id, Timeout);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, meta.RuntimeStatus);
        Assert.Contains("failed after 1 attempt(s)", meta.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains($"attempt 1 lost: process {victim.ProcessId} is gone without an exit code or a manifest", meta.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.JobAttempt("run1-sft", 2)), "the lost budget is spent: no second attempt");
    }

    /// <summary>Waits until <paramref name="attempt"/>'s trainer runs and its heartbeat is past <paramref name="step"/>.</summary>
    private static async Task<(int ProcessId, long Step)> RunningPastAsync(IArtifactStore store, int attempt, long step)
    {
        for (var deadline = DateTime.UtcNow + Timeout; DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            var record = (await store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess("run1-sft")))?.Value;
            Assert.False(await store.ExistsAsync("runs/run1/sft/manifest.json"), $"the job finished before attempt {attempt} could be killed");
            var heartbeat = (await store.ReadVersionedJsonAsync<JobStatus>(JobStatus.PathFor("runs/run1/sft")))?.Value;
            if (record is { ExitCode: null } r && r.Attempt == attempt && heartbeat is { State: JobState.Running } h && h.UpdatedUtc >= r.StartedUtc && h.Step >= step)
            {
                return (r.ProcessId, h.Step);
            }
        }

        throw new TimeoutException($"attempt {attempt} never ran past step {step} within {Timeout}.");
    }

    private static async Task<string> LogAsync(IArtifactStore store, string path)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !await store.ExistsAsync(path) && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        return System.Text.Encoding.UTF8.GetString(await store.ReadAsync(path));
    }

    [GeneratedRegex("resumed from checkpoint at step ([0-9]+)")]
    private static partial Regex ResumedAt();

    /// <summary>The host's <see cref="IJobRunner"/>: a real <see cref="LocalJobRunner"/> that <see cref="Restart"/> replaces with a fresh one.</summary>
    private sealed class RestartableRunner : IJobRunner
    {
        private IServiceProvider? _services;
        private LocalJobRunner? _current;

        public IJobRunner Start(IServiceProvider services)
        {
            _services = services;
            Restart();
            return this;
        }

        /// <summary>Forgets the current runner (disposed: it stops watching, its trainers run on) and starts a new one.</summary>
        public void Restart()
        {
            var services = _services!;
            var next = new LocalJobRunner(
                services.GetRequiredService<IArtifactStore>(),
                services.GetRequiredService<IOptions<LocalJobRunnerOptions>>(),
                services.GetRequiredService<ILogger<LocalJobRunner>>(),
                services.GetRequiredService<JobExitSignals>());
            Interlocked.Exchange(ref _current, next)?.Dispose();
        }

        public Task<JobHandle> SubmitAsync(JobSpec spec, int attempt, CancellationToken cancellationToken = default) => _current!.SubmitAsync(spec, attempt, cancellationToken);

        public Task<JobProgress> GetStatusAsync(JobHandle job, CancellationToken cancellationToken = default) => _current!.GetStatusAsync(job, cancellationToken);

        public Task CancelAsync(JobHandle job, CancellationToken cancellationToken = default) => _current!.CancelAsync(job, cancellationToken);
    }
}

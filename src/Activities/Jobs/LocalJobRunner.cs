using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;
using Rlhf.Core.Telemetry;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// Runs the trainer as a process of this machine that outlives the host (<see cref="TrainerLaunch"/>):
/// <c>{launcher} {trainer} {verb} --spec {jobs/{jobId}/spec.json}</c>. The job spec is written to the store first; the
/// attempt is recorded once (<c>jobs/{jobId}/attempt-{n}.json</c>), the process in <c>jobs/{jobId}/process.json</c>
/// (naming this worker, <see cref="WorkerHost"/>), its output in the local <c>{work}/{jobId}/attempt-{n}.log</c>, uploaded to
/// <c>jobs/{jobId}/attempt-{n}.log</c> by whichever host sees the attempt end. Status is <see cref="ArtifactJobStatus"/>
/// over the job's artifacts; this class only says whether the process lives: the one it started, or one another worker (or
/// this host before a restart) recorded, which it adopts while it lives. A recorded pid is looked up only in the pid scope it
/// was recorded in (<see cref="WorkerHost.PidScope"/>); a process of another scope is judged by its heartbeat
/// (<see cref="LocalJobRunnerOptions.ForeignJobStaleAfter"/>). When a process it watches exits, <see cref="JobExitSignals"/>
/// wakes its monitor. Disposing the runner (the host stops) leaves running trainers alone; a later host adopts them.
/// A job of a cancelled run (<see cref="RunJobs.IsCancelledAsync"/>), or an attempt a later one superseded, is never started.
/// </summary>
public sealed class LocalJobRunner : IJobRunnerOfKind, IDisposable
{
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(30);

    private readonly IArtifactStore _store;
    private readonly LocalJobRunnerOptions _options;
    private readonly ILogger<LocalJobRunner> _logger;
    private readonly JobExitSignals? _signals;
    private readonly ArtifactJobStatus _status;
    private readonly WorkerHost _host;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<(string JobId, int Attempt), LocalJob> _jobs = new();
    private readonly ConcurrentDictionary<(string JobId, int Attempt), bool> _logsUploaded = new();

    public LocalJobRunner(IArtifactStore store, IOptions<LocalJobRunnerOptions> options, ILogger<LocalJobRunner> logger, JobExitSignals? signals = null, WorkerHost? host = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _host = host ?? WorkerHost.Current;
        _options = options.Value;
        _logger = logger;
        _signals = signals;
        if (_options.ForeignJobStaleAfter <= TimeSpan.Zero)
        {
            throw new OptionsValidationException(nameof(LocalJobRunnerOptions), typeof(LocalJobRunnerOptions),
                [$"{nameof(LocalJobRunnerOptions.ForeignJobStaleAfter)} must be positive (it is {_options.ForeignJobStaleAfter})."]);
        }

        _status = new ArtifactJobStatus(store, TimeProvider.System, _options.ForeignJobStaleAfter);
        _slots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentJobs));
    }

    public JobRunnerKind Kind => JobRunnerKind.Local;

    /// <summary>The trainer must be installed here: the Function App's package, for one, has none (its runs use azureml).</summary>
    public IReadOnlyList<SpecError> FindErrors(RunSpec spec) =>
        Path.IsPathRooted(_options.TrainerPath) && !File.Exists(_options.TrainerPath)
            ? [new SpecError("$.compute.runner", $"'local' is not available on this host: the trainer is not installed ({_options.TrainerPath}; Rlhf:LocalJobRunner:TrainerPath). Use \"azureml\".")]
            : [];

    public async Task<JobHandle> SubmitAsync(JobSpec spec, int attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Runner != Kind)
        {
            throw new ArgumentException($"Job '{spec.JobId}' is for the {spec.Runner} runner, not the local one.", nameof(spec));
        }

        if (spec.Store != _store.Location)
        {
            throw new ArgumentException($"Job '{spec.JobId}' targets store '{spec.Store}' but this runner serves '{_store.Location}'.", nameof(spec));
        }

        // Before anything is written: a submission that arrives after its run was cancelled leaves nothing to purge.
        if (await RunJobs.IsCancelledAsync(_store, spec, cancellationToken))
        {
            throw new InvalidOperationException($"Job '{spec.JobId}' attempt {attempt} was not submitted: its run was cancelled.");
        }

        var handle = new JobHandle(spec.JobId, spec.Verb, spec.Output, attempt);
        await _store.PutJsonAsync(ArtifactLayout.JobSpec(spec.JobId), spec, cancellationToken);
        var attemptPath = ArtifactLayout.JobAttempt(spec.JobId, attempt);
        if (_jobs.ContainsKey((spec.JobId, attempt)) || await _store.ExistsAsync(attemptPath, cancellationToken))
        {
            return handle;
        }

        var record = new JobAttemptRecord(spec.JobId, attempt, _host.Name, DateTimeOffset.UtcNow) { Worker = WorkerRef.Of(_host) };
        await _store.PutJsonAsync(attemptPath, record, cancellationToken);
        var job = new LocalJob();
        if (_jobs.TryAdd((spec.JobId, attempt), job))
        {
            _ = Task.Run(() => RunAsync(spec, handle, job), CancellationToken.None);
            _logger.LogInformation("Submitted job {JobId} ({Verb}) attempt {Attempt}", spec.JobId, spec.Verb, attempt);
        }

        return handle;
    }

    public async Task<JobProgress> GetStatusAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_jobs.TryGetValue((job.JobId, job.Attempt), out var local))
        {
            if (local.Error is { } error)
            {
                return new JobProgress(JobState.Failed, Message: error);
            }

            // Exited is read before the artifacts: its exit record is written before it is set.
            var seen = local.Exited ? JobLiveness.Gone : JobLiveness.Alive;
            return local.StartedUtc is { } started
                ? await _status.GetAsync(job, started, seen, $"process {local.ProcessId} exited and its exit could not be recorded", cancellationToken)
                : new JobProgress(JobState.Pending, Message: "waiting for a free job slot");
        }

        // Not started by this host (or before it restarted): adopt the recorded process while it lives.
        var record = (await _store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess(job.JobId), cancellationToken))?.Value;
        if (record is null || record.Attempt != job.Attempt)
        {
            return await NotStartedHereAsync(job, cancellationToken);
        }

        if (record.ExitCode is { } code)
        {
            await _status.RecordExitAsync(job, code, message: null, cancellationToken); // a runner before exit records existed
        }

        var visible = SeesProcessesOf(record.Host, record.Worker);
        var progress = await _status.GetAsync(job, record.StartedUtc, Liveness(record, visible), $"process {record.ProcessId} is gone without an exit code or a manifest", cancellationToken);
        if (visible && progress.State is JobState.Succeeded or JobState.Failed or JobState.Lost)
        {
            await UploadLogOnceAsync(job, cancellationToken); // nobody else saw this attempt end
        }

        return progress;
    }

    public async Task CancelAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_jobs.TryGetValue((job.JobId, job.Attempt), out var local))
        {
            local.Cancelled = true;
            await local.Cancel.CancelAsync();
            LocalProcesses.Kill(local.Process);
            // Until its exit is recorded and its log uploaded: a purge right after the cancel then finds every blob.
            try
            {
                await local.Done.Task.WaitAsync(CancelWait, cancellationToken);
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("Job {JobId} attempt {Attempt} did not stop within {Wait}", job.JobId, job.Attempt, CancelWait);
            }

            return;
        }

        var record = (await _store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess(job.JobId), cancellationToken))?.Value;
        if (record is { } r && r.Attempt == job.Attempt)
        {
            if (!SeesProcessesOf(r.Host, r.Worker))
            {
                _logger.LogWarning("Job {JobId} attempt {Attempt} runs on {Host}; this host cannot stop it", job.JobId, job.Attempt, r.Host);
                return;
            }

            using var alive = LocalProcesses.FindAlive(r);
            LocalProcesses.Kill(alive);
        }
    }

    /// <summary>Stops watching; the trainers keep running and a later host adopts them (or sees their exit records).</summary>
    public void Dispose() => _stopping.Cancel();

    /// <summary>
    /// Whether a pid recorded by <paramref name="host"/> can be looked up here: recorded in this pid scope; in a record
    /// written before workers were named (<paramref name="worker"/> null), on this machine.
    /// </summary>
    private bool SeesProcessesOf(string host, WorkerRef? worker) =>
        worker is null ? host == Environment.MachineName : _host.SeesProcessesOf(worker.PidScope);

    private bool IsMe(WorkerRef worker) => _host.SeesProcessesOf(worker.PidScope) && worker.ProcessId == _host.ProcessId;

    /// <summary>
    /// What this host sees of a recorded process: alive by its pid; gone, unless the worker that started it still lives
    /// (then it watches the exit and records it: the heartbeat decides meanwhile); unknown in another pid scope.
    /// </summary>
    private JobLiveness Liveness(JobProcessRecord record, bool visible)
    {
        if (!visible)
        {
            return JobLiveness.Unknown;
        }

        using (var alive = LocalProcesses.FindAlive(record))
        {
            if (alive is not null)
            {
                return JobLiveness.Alive;
            }
        }

        return record.Worker is { } starter && !IsMe(starter) && LocalProcesses.IsAlive(starter) ? JobLiveness.Unknown : JobLiveness.Gone;
    }

    /// <summary>
    /// An attempt with no process record. Submitted by another pid scope: its heartbeat decides (it may be waiting for a slot
    /// there). Submitted by another worker of this scope: pending while that worker lives (it starts the attempt when a slot
    /// frees), lost once it died. Otherwise lost: it never started, or was lost with its host.
    /// </summary>
    private async Task<JobProgress> NotStartedHereAsync(JobHandle job, CancellationToken cancellationToken)
    {
        var attempt = (await _store.ReadVersionedJsonAsync<JobAttemptRecord>(ArtifactLayout.JobAttempt(job.JobId, job.Attempt), cancellationToken))?.Value;
        var lost = $"attempt {job.Attempt} has no process record (never started, or lost with its host)";
        if (attempt is not { } a)
        {
            return await _status.GetAsync(job, startedUtc: null, JobLiveness.Gone, lost, cancellationToken);
        }

        if (!SeesProcessesOf(a.Host, a.Worker))
        {
            return await _status.GetAsync(job, a.SubmittedUtc, JobLiveness.Unknown, goneMessage: string.Empty, cancellationToken);
        }

        if (a.Worker is { } submitter && !IsMe(submitter) && LocalProcesses.IsAlive(submitter))
        {
            var progress = await _status.GetAsync(job, startedUtc: null, JobLiveness.Alive, goneMessage: string.Empty, cancellationToken);
            return progress.State == JobState.Running ? new JobProgress(JobState.Pending, Message: $"waiting for a free job slot on {a.Host}") : progress;
        }

        return await _status.GetAsync(job, startedUtc: null, JobLiveness.Gone, lost, cancellationToken);
    }

    private async Task RunAsync(JobSpec spec, JobHandle handle, LocalJob job)
    {
        var stopped = false;
        try
        {
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(job.Cancel.Token, _stopping.Token))
            {
                await _slots.WaitAsync(waiting.Token);
            }
        }
        catch (OperationCanceledException)
        {
            job.Error = "cancelled before it started";
            job.Exited = true;
            job.Done.TrySetResult();
            return;
        }

        var logFile = Path.Combine(_options.WorkDirectory, spec.JobId, $"attempt-{handle.Attempt}.log");
        try
        {
            if (await RunJobs.IsCancelledAsync(_store, spec))
            {
                job.Error = "not started: its run was cancelled";
                return;
            }

            // While it waited for a slot, its monitor may have given it up (a timeout, or another worker saw this one as
            // lost) and submitted the next attempt: two trainers of one job would write the same outputs.
            if (await _store.ExistsAsync(ArtifactLayout.JobAttempt(spec.JobId, handle.Attempt + 1)))
            {
                job.Error = $"not started: attempt {handle.Attempt + 1} superseded it";
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            using var process = new Process { StartInfo = StartInfo(spec, handle.Attempt, logFile) };
            process.Start();
            job.Process = process;
            job.ProcessId = process.Id;
            var record = new JobProcessRecord(spec.JobId, handle.Attempt, _host.Name, process.Id, process.StartTime.ToUniversalTime()) { Worker = WorkerRef.Of(_host) };
            job.StartedUtc = record.StartedUtc;
            await _store.OverwriteJsonAsync(ArtifactLayout.JobProcess(spec.JobId), record);
            if (job.Cancelled || await RunJobs.IsCancelledAsync(_store, spec))
            {
                // Cancelled while it started: the cancel may have listed the jobs before this process was recorded.
                LocalProcesses.Kill(process);
            }

            try
            {
                await process.WaitForExitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                stopped = true; // the host stops: the trainer runs on, and a later host sees its exit
                return;
            }

            job.ExitCode = process.ExitCode;
            job.Process = null;
            await _store.OverwriteJsonAsync(ArtifactLayout.JobProcess(spec.JobId), record with { ExitCode = process.ExitCode });
            await UploadLogOnceAsync(handle, CancellationToken.None);
            // Last: once a status reader sees the exit, every write of this attempt is done (a purge then finds them all).
            await _status.RecordExitAsync(handle, process.ExitCode, TrainerLaunch.LastErrorLine(logFile));
            _logger.LogInformation("Job {JobId} attempt {Attempt} exited with code {ExitCode}", spec.JobId, handle.Attempt, job.ExitCode);
        }
        catch (Exception e)
        {
            job.Error = $"runner error: {e.Message}";
            _logger.LogError(e, "Job {JobId} attempt {Attempt} could not be run", spec.JobId, handle.Attempt);
        }
        finally
        {
            job.Exited = true;
            _slots.Release();
            if (!stopped && _signals is not null)
            {
                await _signals.NotifyExitedAsync(spec.JobId, handle.Attempt);
            }

            job.Done.TrySetResult();
        }
    }

    private ProcessStartInfo StartInfo(JobSpec spec, int attempt, string logFile)
    {
        var command = new List<string>();
        if (_options.Launcher is not null)
        {
            command.Add(_options.Launcher);
        }

        var specUri = _store.GetUri(ArtifactLayout.JobSpec(spec.JobId));
        command.AddRange([_options.TrainerPath, spec.Verb, "--spec", specUri.IsFile ? specUri.LocalPath : specUri.AbsoluteUri]);
        var info = TrainerLaunch.StartInfo(command, logFile);
        info.Environment[JobExitRecord.AttemptVariable] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in _options.EnvironmentVariables)
        {
            info.Environment[name] = value;
        }

        TraceParent.Apply(info.Environment); // the submitting span (SubmitJob's) parents the trainer's attempt span
        return info;
    }

    /// <summary>Uploads the attempt's local log once, if this machine has it and the store does not yet.</summary>
    private async Task UploadLogOnceAsync(JobHandle job, CancellationToken cancellationToken)
    {
        var logFile = Path.Combine(_options.WorkDirectory, job.JobId, $"attempt-{job.Attempt}.log");
        if (!_logsUploaded.TryAdd((job.JobId, job.Attempt), true) || !File.Exists(logFile))
        {
            return;
        }

        var path = ArtifactLayout.JobLog(job.JobId, job.Attempt);
        if (!await _store.ExistsAsync(path, cancellationToken))
        {
            await _store.PutFileAsync(path, logFile, cancellationToken);
        }
    }

    private sealed class LocalJob
    {
        public CancellationTokenSource Cancel { get; } = new();
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Process? Process { get; set; }
        public int ProcessId { get; set; }
        public DateTimeOffset? StartedUtc { get; set; }
        public int? ExitCode { get; set; }
        public string? Error { get; set; }
        public volatile bool Cancelled;
        public volatile bool Exited;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;

namespace Rlhf.Activities.Jobs;

/// <summary>
/// Runs the trainer as a child process: <c>{launcher} {trainer} {verb} --spec {jobs/{jobId}/spec.json}</c>.
/// The job spec is written to the store first; the attempt is recorded once (<c>jobs/{jobId}/attempt-{n}.json</c>),
/// the process in <c>jobs/{jobId}/process.json</c>, its output in <c>jobs/{jobId}/attempt-{n}.log</c>.
/// Status comes from the job's artifacts: its manifest (success), its heartbeat (progress) and, for a job
/// started before this host restarted, whether the recorded process is still alive. A process that is
/// gone without a manifest is reported Failed. When a process exits, <see cref="JobExitSignals"/> wakes its monitor.
/// </summary>
public sealed class LocalJobRunner : IJobRunner, IDisposable
{
    private readonly IArtifactStore _store;
    private readonly LocalJobRunnerOptions _options;
    private readonly ILogger<LocalJobRunner> _logger;
    private readonly JobExitSignals? _signals;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<(string JobId, int Attempt), LocalJob> _jobs = new();

    public LocalJobRunner(IArtifactStore store, IOptions<LocalJobRunnerOptions> options, ILogger<LocalJobRunner> logger, JobExitSignals? signals = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _logger = logger;
        _signals = signals;
        _slots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentJobs));
    }

    public async Task<JobHandle> SubmitAsync(JobSpec spec, int attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Store != _store.Location)
        {
            throw new ArgumentException($"Job '{spec.JobId}' targets store '{spec.Store}' but this runner serves '{_store.Location}'.", nameof(spec));
        }

        var handle = new JobHandle(spec.JobId, spec.Verb, spec.Output, attempt);
        await _store.PutJsonAsync(ArtifactLayout.JobSpec(spec.JobId), spec, cancellationToken);
        var attemptPath = ArtifactLayout.JobAttempt(spec.JobId, attempt);
        if (_jobs.ContainsKey((spec.JobId, attempt)) || await _store.ExistsAsync(attemptPath, cancellationToken))
        {
            return handle;
        }

        await _store.PutJsonAsync(attemptPath, new JobAttemptRecord(spec.JobId, attempt, Environment.MachineName, DateTimeOffset.UtcNow), cancellationToken);
        var job = new LocalJob();
        if (_jobs.TryAdd((spec.JobId, attempt), job))
        {
            _ = Task.Run(() => RunAsync(spec, attempt, job), CancellationToken.None);
            _logger.LogInformation("Submitted job {JobId} ({Verb}) attempt {Attempt}", spec.JobId, spec.Verb, attempt);
        }

        return handle;
    }

    public async Task<JobProgress> GetStatusAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_jobs.TryGetValue((job.JobId, job.Attempt), out var local))
        {
            var exited = local.Exited; // read before the manifest: a job that exits after this check is seen next poll
            if (await SucceededAsync(job, cancellationToken) is { } done)
            {
                return done;
            }

            if (exited)
            {
                return new JobProgress(JobState.Failed, Message: local.Error ?? ExitMessage(local.ExitCode, local.LastLine, job))
                {
                    Permanent = local.ExitCode == JobExitCodes.InvalidSpec,
                };
            }

            return local.StartedUtc is { } started
                ? await RunningAsync(job, started, cancellationToken)
                : new JobProgress(JobState.Pending, Message: "waiting for a free job slot");
        }

        if (await SucceededAsync(job, cancellationToken) is { } finished)
        {
            return finished;
        }

        // Not started by this host (or before it restarted): trust the recorded process only while it lives.
        var process = await _store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess(job.JobId), cancellationToken);
        if (process?.Value is not { } record || record.Attempt != job.Attempt)
        {
            return new JobProgress(JobState.Failed, Message: $"attempt {job.Attempt} has no process record (never started, or lost with its host)");
        }

        if (record.ExitCode is { } code)
        {
            return new JobProgress(JobState.Failed, Message: ExitMessage(code, lastLine: null, job)) { Permanent = code == JobExitCodes.InvalidSpec };
        }

        return IsAlive(record) is not null
            ? await RunningAsync(job, record.StartedUtc, cancellationToken)
            : new JobProgress(JobState.Failed, Message: $"process {record.ProcessId} is gone without a manifest");
    }

    public async Task CancelAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_jobs.TryGetValue((job.JobId, job.Attempt), out var local))
        {
            await local.Cancel.CancelAsync();
            Kill(local.Process);
            return;
        }

        var process = await _store.ReadVersionedJsonAsync<JobProcessRecord>(ArtifactLayout.JobProcess(job.JobId), cancellationToken);
        if (process?.Value is { } record && record.Attempt == job.Attempt)
        {
            using var alive = IsAlive(record);
            Kill(alive);
        }
    }

    public void Dispose()
    {
        foreach (var job in _jobs.Values)
        {
            job.Cancel.Dispose();
        }

        _slots.Dispose();
    }

    private async Task RunAsync(JobSpec spec, int attempt, LocalJob job)
    {
        try
        {
            await _slots.WaitAsync(job.Cancel.Token);
        }
        catch (OperationCanceledException)
        {
            job.Error = "cancelled before it started";
            job.Exited = true;
            return;
        }

        var logFile = Path.Combine(_options.WorkDirectory, spec.JobId, $"attempt-{attempt}.log");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            using (var process = new Process { StartInfo = StartInfo(spec, attempt) })
            using (var log = new StreamWriter(logFile) { AutoFlush = true })
            {
                var gate = new object();
                process.OutputDataReceived += (_, e) => Append(log, gate, e.Data);
                process.ErrorDataReceived += (_, e) =>
                {
                    Append(log, gate, e.Data);
                    job.LastLine = string.IsNullOrWhiteSpace(e.Data) ? job.LastLine : e.Data;
                };
                process.Start();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                job.Process = process;
                var record = new JobProcessRecord(spec.JobId, attempt, Environment.MachineName, process.Id, process.StartTime.ToUniversalTime());
                job.StartedUtc = record.StartedUtc;
                await _store.OverwriteJsonAsync(ArtifactLayout.JobProcess(spec.JobId), record);
                await process.WaitForExitAsync();
                job.ExitCode = process.ExitCode;
                job.Process = null;
                await _store.OverwriteJsonAsync(ArtifactLayout.JobProcess(spec.JobId), record with { ExitCode = process.ExitCode });
            }

            await _store.PutFileAsync(ArtifactLayout.JobLog(spec.JobId, attempt), logFile);
            _logger.LogInformation("Job {JobId} attempt {Attempt} exited with code {ExitCode}", spec.JobId, attempt, job.ExitCode);
        }
        catch (Exception e)
        {
            job.Error = $"runner error: {e.Message}";
            _logger.LogError(e, "Job {JobId} attempt {Attempt} could not be run", spec.JobId, attempt);
        }
        finally
        {
            job.Exited = true;
            _slots.Release();
            if (_signals is not null)
            {
                await _signals.NotifyExitedAsync(spec.JobId, attempt);
            }
        }
    }

    private ProcessStartInfo StartInfo(JobSpec spec, int attempt)
    {
        var info = new ProcessStartInfo
        {
            FileName = _options.Launcher ?? _options.TrainerPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_options.Launcher is not null)
        {
            info.ArgumentList.Add(_options.TrainerPath);
        }

        var specUri = _store.GetUri(ArtifactLayout.JobSpec(spec.JobId));
        info.ArgumentList.Add(spec.Verb);
        info.ArgumentList.Add("--spec");
        info.ArgumentList.Add(specUri.IsFile ? specUri.LocalPath : specUri.AbsoluteUri);
        info.Environment["RLHF_JOB_ATTEMPT"] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in _options.EnvironmentVariables)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private async Task<JobProgress?> SucceededAsync(JobHandle job, CancellationToken cancellationToken)
    {
        var manifest = await ManifestWriter.TryReadAsync(_store, job.Output, cancellationToken);
        if (manifest is null)
        {
            return null;
        }

        var reference = await _store.GetRefAsync(StepManifest.PathFor(job.Output), cancellationToken)
            ?? throw new ArtifactNotFoundException(StepManifest.PathFor(job.Output));
        return new JobProgress(JobState.Succeeded, Message: "manifest written")
        {
            Manifest = reference,
            Outputs = manifest.Outputs,
            Metrics = manifest.Metrics,
        };
    }

    /// <summary>Progress from the heartbeat, if it is this attempt's (written after the process started).</summary>
    private async Task<JobProgress> RunningAsync(JobHandle job, DateTimeOffset startedUtc, CancellationToken cancellationToken)
    {
        var heartbeat = await _store.ReadVersionedJsonAsync<JobStatus>(JobStatus.PathFor(job.Output), cancellationToken);
        if (heartbeat?.Value is not { } status || status.UpdatedUtc < startedUtc.AddSeconds(-1))
        {
            return new JobProgress(JobState.Running, Message: "started, no heartbeat yet");
        }

        return status.State == JobState.Failed
            ? new JobProgress(JobState.Failed, status.Step, status.TotalSteps, status.Message ?? "the job reported failure")
            : new JobProgress(JobState.Running, status.Step, status.TotalSteps, status.Message) { Metrics = status.Metrics };
    }

    private static Process? IsAlive(JobProcessRecord record)
    {
        try
        {
            var process = Process.GetProcessById(record.ProcessId);
            if (!HasExited(process) && (process.StartTime.ToUniversalTime() - record.StartedUtc.UtcDateTime).Duration() < TimeSpan.FromSeconds(2))
            {
                return process;
            }

            process.Dispose();
        }
        catch (ArgumentException)
        {
            // no such process
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }

        return null;
    }

    /// <summary>
    /// <see cref="Process.HasExited"/> for a process this runner did not start only checks that its pid exists, which
    /// a zombie's does (exited, not yet reaped by its parent): on Linux, a zombie (Z) or dead (X) state counts as exited.
    /// </summary>
    private static bool HasExited(Process process) =>
        process.HasExited || (OperatingSystem.IsLinux() && LinuxState(process.Id) is null or 'Z' or 'X');

    /// <summary>The state letter of <c>/proc/{pid}/stat</c> (<c>"{pid} ({comm}) {state} ..."</c>), or null when the process is gone.</summary>
    private static char? LinuxState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var endOfComm = stat.LastIndexOf(')'); // comm may itself contain spaces and parentheses
            return endOfComm >= 0 && endOfComm + 2 < stat.Length ? stat[endOfComm + 2] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Kill(Process? process)
    {
        try
        {
            process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    private static void Append(StreamWriter log, object gate, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>Why an attempt failed, with the trainer's last error line (e.g. the spec field it rejected).</summary>
    private static string ExitMessage(int? exitCode, string? lastLine, JobHandle job) =>
        $"exited with code {exitCode} without a manifest{(lastLine is null ? "" : $": {lastLine}")}; log {ArtifactLayout.JobLog(job.JobId, job.Attempt)}";

    private sealed class LocalJob
    {
        /// <summary>The last non-empty line the trainer wrote to stderr.</summary>
        public string? LastLine { get; set; }

        public CancellationTokenSource Cancel { get; } = new();
        public Process? Process { get; set; }
        public DateTimeOffset? StartedUtc { get; set; }
        public int? ExitCode { get; set; }
        public string? Error { get; set; }
        public volatile bool Exited;
    }
}

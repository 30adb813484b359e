using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;
using Rlhf.Core.Telemetry;

namespace Rlhf.Activities.Jobs.AzureMl;

/// <summary>
/// Runs each attempt of a job as an Azure ML command job (<c>rlhf-trainer {verb} --spec {blob uri}</c> in the trainer image, on
/// the workspace's cluster, as its managed identity), submitted through ARM (<see cref="AzureMlArmClient"/>).
/// <para>Submit writes the job spec (write-once) and the attempt record, which names the Azure ML job, registers the image as
/// an environment version, and PUTs the job under its deterministic name (<see cref="AzureMlJobNames.Job"/>). A retried
/// submit finds the job it made (by the attempt's tag) and never starts a second; a job of that name that this attempt did
/// not make is an error.</para>
/// <para>Status is <see cref="ArtifactJobStatus"/> over the job's heartbeat, exit record and manifest, with Azure ML's status
/// only saying whether the attempt lives (<see cref="AzureMlJobStates"/>). Cancel is <c>POST …/cancel</c>. Any worker can
/// answer both: the attempt record says which job to ask about.</para>
/// </summary>
public sealed partial class AzureMlJobRunner : IJobRunnerOfKind
{
    /// <summary>Tag on each Azure ML job: the submission time of the attempt record that made it.</summary>
    public const string SubmittedTag = "rlhf.submitted";

    private readonly IArtifactStore _store;
    private readonly AzureMlOptions _options;
    private readonly AzureMlArmClient _arm;
    private readonly ILogger<AzureMlJobRunner> _logger;
    private readonly ArtifactJobStatus _status;
    private readonly ConcurrentDictionary<string, bool> _registered = new(StringComparer.Ordinal);

    public AzureMlJobRunner(IArtifactStore store, IOptions<AzureMlOptions> options, AzureMlArmClient arm, ILogger<AzureMlJobRunner> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _arm = arm;
        _logger = logger;
        _status = new ArtifactJobStatus(store, time ?? TimeProvider.System, ArtifactJobStatus.DefaultStaleAfter);
    }

    public JobRunnerKind Kind => JobRunnerKind.AzureMl;

    public IReadOnlyList<SpecError> FindErrors(RunSpec spec) => AzureMlTarget.FindErrors(spec, _options);

    public async Task<JobHandle> SubmitAsync(JobSpec spec, int attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var target = Target(spec);
        if (await RunJobs.IsCancelledAsync(_store, spec, cancellationToken))
        {
            throw new InvalidOperationException($"Job '{spec.JobId}' attempt {attempt} was not submitted: its run was cancelled.");
        }

        var handle = new JobHandle(spec.JobId, spec.Verb, spec.Output, attempt) { Runner = Kind };
        await _store.PutJsonAsync(ArtifactLayout.JobSpec(spec.JobId), spec, cancellationToken);
        var (record, retried) = await RecordAttemptAsync(spec, attempt, target, cancellationToken);
        var jobId = record.AzureMlJob!;
        if (retried && await OursAsync(jobId, record, cancellationToken))
        {
            return handle; // this attempt's job exists: a retried SubmitJob
        }

        var environment = target.EnvironmentVersionId(_options.EnvironmentName, AzureMlJobNames.EnvironmentVersion(target.Image));
        if (!_registered.ContainsKey(environment))
        {
            await _arm.PutEnvironmentVersionAsync(environment, target.Image, cancellationToken);
            _registered[environment] = true;
        }

        if (!await _arm.PutJobAsync(jobId, JobBody(spec, attempt, target, environment, record), cancellationToken)
            && !await OursAsync(jobId, record, cancellationToken))
        {
            throw new ArgumentException(
                $"Azure ML job '{jobId}' exists and was not submitted by attempt {attempt} of job '{spec.JobId}' (an earlier run under the same run id?); start the run under a fresh id.");
        }

        _logger.LogInformation("Submitted job {JobId} ({Verb}) attempt {Attempt} as Azure ML job {AzureMlJob}", spec.JobId, spec.Verb, attempt, jobId);
        return handle;
    }

    public async Task<JobProgress> GetStatusAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var record = await AttemptAsync(job, cancellationToken);
        if (record?.AzureMlJob is not { } jobId)
        {
            return await _status.GetAsync(job, startedUtc: null, JobLiveness.Gone, $"attempt {job.Attempt} has no Azure ML job recorded (never submitted)", cancellationToken);
        }

        var name = jobId[(jobId.LastIndexOf('/') + 1)..];
        var info = await _arm.GetJobAsync(jobId, cancellationToken);
        var status = info?.Status ?? "(deleted)";
        var phase = info is null ? AzureMlPhase.Lost : AzureMlJobStates.PhaseOf(status);
        var said = $"Azure ML job {name} is {status}";
        var progress = await _status.GetAsync(job, record.SubmittedUtc, AzureMlJobStates.LivenessOf(phase), $"{said}: its node was lost", cancellationToken);
        progress = progress.State switch
        {
            JobState.Succeeded => progress,
            JobState.Failed => progress, // from the exit record or the heartbeat: they say more than Azure ML
            _ => phase switch
            {
                AzureMlPhase.Waiting => new JobProgress(JobState.Pending, Message: said),
                AzureMlPhase.Failed => new JobProgress(JobState.Failed, Message: $"{said} without an exit record or a manifest (see user_logs/std_log.txt in the job's outputs)"),
                _ => progress with { Message = progress.State == JobState.Running ? $"{said}: {progress.Message}" : progress.Message },
            },
        };
        if (progress.State == JobState.Lost && info is not null && !Ended(status))
        {
            await CancelLostAsync(jobId, job, cancellationToken);
        }

        return progress;
    }

    public async Task CancelAsync(JobHandle job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if ((await AttemptAsync(job, cancellationToken))?.AzureMlJob is { } jobId)
        {
            try
            {
                await _arm.CancelJobAsync(jobId, cancellationToken);
                _logger.LogInformation("Asked Azure ML to cancel job {AzureMlJob} ({JobId} attempt {Attempt})", jobId, job.JobId, job.Attempt);
            }
            catch (ArgumentException e)
            {
                // 400/404: the job ended (or is gone) meanwhile; there is nothing left to stop, and the monitor moves on
                _logger.LogWarning(e, "Azure ML did not cancel job {AzureMlJob}", jobId);
            }
        }
    }

    private static bool Ended(string status) => status is "Completed" or "Failed" or "Canceled";

    /// <summary>
    /// A lost attempt (NotResponding, or silent too long) is resubmitted; it must not come back beside its successor, so it
    /// is cancelled. Best effort: the monitor moves on either way.
    /// </summary>
    private async Task CancelLostAsync(string jobId, JobHandle job, CancellationToken cancellationToken)
    {
        try
        {
            await _arm.CancelJobAsync(jobId, cancellationToken);
            _logger.LogWarning("Job {JobId} attempt {Attempt} is lost; cancelled Azure ML job {AzureMlJob} so it cannot come back", job.JobId, job.Attempt, jobId);
        }
        catch (Exception e) when (e is AzureMlRequestException or UnauthorizedAccessException or ArgumentException or HttpRequestException)
        {
            _logger.LogWarning(e, "Could not cancel the lost Azure ML job {AzureMlJob}", jobId);
        }
    }

    /// <summary>The job's target, or why it has none: this host has no Azure ML, or the spec's section does not resolve.</summary>
    private AzureMlTarget Target(JobSpec spec)
    {
        if (spec.Runner != Kind)
        {
            throw new ArgumentException($"Job '{spec.JobId}' is for the {spec.Runner} runner, not azureml.", nameof(spec));
        }

        if (!_options.IsConfigured)
        {
            throw new NotSupportedException($"Job '{spec.JobId}': compute.runner {AzureMlTarget.NotConfigured}");
        }

        if (spec.Store != _store.Location || !Uri.TryCreate(spec.Store, UriKind.Absolute, out var store) || store.Scheme is not ("https" or "http"))
        {
            throw new ArgumentException($"Job '{spec.JobId}' targets store '{spec.Store}': an Azure ML job needs this host's blob store ('{_store.Location}').", nameof(spec));
        }

        var (target, errors) = AzureMlTarget.Resolve(spec.AzureMl, _options);
        return target ?? throw new ArgumentException($"Job '{spec.JobId}' cannot run on Azure ML: {string.Join("; ", errors)}", nameof(spec));
    }

    /// <summary>The attempt record (written once; a concurrent submit of the same attempt reads the winner's); true when it existed.</summary>
    private async Task<(JobAttemptRecord Record, bool Existed)> RecordAttemptAsync(JobSpec spec, int attempt, AzureMlTarget target, CancellationToken cancellationToken)
    {
        var path = ArtifactLayout.JobAttempt(spec.JobId, attempt);
        if (await AttemptAsync(spec.JobId, attempt, cancellationToken) is { } existing)
        {
            return (existing, true);
        }

        var record = new JobAttemptRecord(spec.JobId, attempt, WorkerHost.Current.Name, DateTimeOffset.UtcNow)
        {
            Runner = Kind,
            AzureMlJob = target.JobId(AzureMlJobNames.Job(spec.Store, spec.JobId, attempt)),
        };
        try
        {
            await _store.PutJsonAsync(path, record, cancellationToken);
            return (record, false);
        }
        catch (ArtifactConflictException)
        {
            return (await AttemptAsync(spec.JobId, attempt, cancellationToken) ?? throw new ArtifactNotFoundException(path), true);
        }
    }

    private Task<JobAttemptRecord?> AttemptAsync(JobHandle job, CancellationToken cancellationToken) => AttemptAsync(job.JobId, job.Attempt, cancellationToken);

    private async Task<JobAttemptRecord?> AttemptAsync(string jobId, int attempt, CancellationToken cancellationToken) =>
        (await _store.ReadVersionedJsonAsync<JobAttemptRecord>(ArtifactLayout.JobAttempt(jobId, attempt), cancellationToken))?.Value;

    /// <summary>Whether the Azure ML job exists and was made for this attempt record.</summary>
    private async Task<bool> OursAsync(string jobId, JobAttemptRecord record, CancellationToken cancellationToken) =>
        await _arm.GetJobAsync(jobId, cancellationToken) is { } job
        && job.Tags.TryGetValue(SubmittedTag, out var submitted) && submitted == Stamp(record);

    private static string Stamp(JobAttemptRecord record) => record.SubmittedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The command job's body: the REST spec's <c>CommandJob</c>; inputs and outputs stay empty (the trainer reads and writes blobs itself).</summary>
    private JsonObject JobBody(JobSpec spec, int attempt, AzureMlTarget target, string environmentId, JobAttemptRecord record)
    {
        var specUri = _store.GetUri(ArtifactLayout.JobSpec(spec.JobId)).AbsoluteUri;
        if (!JobVerbs.All.Contains(spec.Verb) || !CommandSafe().IsMatch(specUri))
        {
            throw new ArgumentException($"Job '{spec.JobId}': verb '{spec.Verb}' and spec URI '{specUri}' must be a trainer verb and a plain URI to go on a command line.", nameof(spec));
        }

        var variables = new JsonObject { [JobExitRecord.AttemptVariable] = attempt.ToString(CultureInfo.InvariantCulture) };
        if (_options.ClientId is { } clientId)
        {
            variables["AZURE_CLIENT_ID"] = clientId; // DefaultAzureCredential in the trainer signs in as the cluster's identity
        }

        // the submitting span (SubmitJob's) parents the trainer's attempt span, and the trainer exports where the host does
        foreach (var (name, value) in TraceParent.ForCurrentSpan().Concat(TelemetryExport.ForRemoteJobs(Environment.GetEnvironmentVariable)))
        {
            variables[name] = value;
        }

        var resources = new JsonObject { ["instanceCount"] = 1 };
        if (target.InstanceType is { } instanceType)
        {
            resources["instanceType"] = instanceType;
        }

        var identity = new JsonObject { ["identityType"] = "Managed" };
        if (_options.ClientId is { } identityClientId)
        {
            identity["clientId"] = identityClientId;
        }

        return new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["jobType"] = "Command",
                ["displayName"] = $"{spec.JobId} attempt {attempt}",
                ["experimentName"] = AzureMlJobNames.Experiment(RunJobs.RunOf(spec)),
                ["computeId"] = target.ComputeId,
                ["environmentId"] = environmentId,
                ["command"] = $"rlhf-trainer {spec.Verb} --spec {specUri}",
                ["environmentVariables"] = variables,
                ["resources"] = resources,
                ["limits"] = new JsonObject { ["jobLimitsType"] = "Command", ["timeout"] = AzureMlNames.FormatTimeout(target.Timeout) },
                ["identity"] = identity,
                ["tags"] = new JsonObject { ["rlhf.jobId"] = spec.JobId, ["rlhf.attempt"] = attempt.ToString(CultureInfo.InvariantCulture), [SubmittedTag] = Stamp(record) },
            },
        };
    }

    /// <summary>Characters a URI may keep on a shell command line unquoted.</summary>
    [GeneratedRegex("^[A-Za-z0-9:/._~%-]+$")]
    private static partial Regex CommandSafe();
}

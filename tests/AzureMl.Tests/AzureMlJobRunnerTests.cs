using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Jobs.AzureMl;
using Rlhf.Activities.Tests.Support;
using Rlhf.AzureMl.Tests.Support;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Runs;
using Rlhf.Tests.Shared;

namespace Rlhf.AzureMl.Tests;

/// <summary>
/// The Azure ML runner against the stand-in (<see cref="AzureMlStandIn"/>), which runs the real trainer for each job against
/// Azurite: a small <c>sft</c> job (a 1-layer, 16-wide GPT, a few steps), or a job pinned in one Azure ML status.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class AzureMlJobRunnerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-aml-").FullName;
    private BlobArtifactStore _store = null!;
    private AzureMlStandIn _standIn = null!;
    private AzureMlJobRunner _runner = null!;

    public async Task InitializeAsync()
    {
        _store = azurite.NewStore("aml");
        await TinySft.SeedCorpusAsync(_store);
        _standIn = await AzureMlStandIn.StartAsync(StandInWorkspace.Default, Path.Combine(AppContext.BaseDirectory, "rlhf-trainer.dll"), _root);
        _runner = Runner(o => _standIn.Workspace.Configure(o, _standIn.Endpoint));
    }

    public async Task DisposeAsync()
    {
        await _standIn.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a killed trainer may still hold a file for a moment
        }
    }

    private AzureMlJobRunner Runner(Action<AzureMlOptions> configure)
    {
        var options = new AzureMlOptions();
        configure(options);
        var arm = new AzureMlArmClient(options.Endpoint, _standIn.Credential, _standIn.ClientOptions());
        return new AzureMlJobRunner(_store, Options.Create(options), arm, NullLogger<AzureMlJobRunner>.Instance);
    }

    private JobSpec Sft(string jobId = "r-sft", int steps = 4, int checkpointEvery = 0) =>
        TinySft.Spec(_store.Location, jobId, $"runs/r/{jobId}", steps) with
        {
            Runner = JobRunnerKind.AzureMl,
            AzureMl = new AzureMlSpec { Timeout = "PT10M" },
            CheckpointEvery = checkpointEvery,
            ProgressEvery = 1,
        };

    private StandInJob OnlyJob() => Assert.Single(_standIn.Jobs.Values);

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !condition(); await Task.Delay(50))
        {
            Assert.True(DateTime.UtcNow < deadline, "the stand-in never reached the expected state");
        }
    }

    [Fact]
    public async Task AJobRunsAsACommandJobWithTheTrainerCommandAndSucceedsByItsManifest()
    {
        using var activity = new Activity("SubmitJob").SetIdFormat(ActivityIdFormat.W3C);
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded; // a span being recorded (telemetry on)
        activity.Start();
        var job = await _runner.SubmitAsync(Sft(), 1);
        activity.Stop();
        var again = await _runner.SubmitAsync(Sft(), 1); // a retried SubmitJob activity
        var done = await TinySft.UntilAsync(_runner, job, TinySft.Finished);

        Assert.Equal(job, again);
        Assert.Equal(JobRunnerKind.AzureMl, job.Runner);
        Assert.True(done.State == JobState.Succeeded, done.Message);
        Assert.Equal(ContentHash.Sha256(await _store.ReadAsync("runs/r/r-sft/manifest.json")), done.Manifest!.Sha256);
        var aml = OnlyJob();
        await UntilAsync(() => aml.Status == "Completed"); // the manifest comes before the trainer's exit
        Assert.Equal(0, aml.ExitCode);
        var p = aml.Properties;
        var specUri = _store.GetUri(ArtifactLayout.JobSpec("r-sft")).AbsoluteUri;
        Assert.Equal($"rlhf-trainer sft --spec {specUri}", (string?)p["command"]);
        Assert.Equal($"{StandInWorkspace.Default.Id}/computes/gpu-cluster", (string?)p["computeId"]);
        Assert.StartsWith($"{StandInWorkspace.Default.Id}/environments/rlhf-trainer/versions/", (string?)p["environmentId"], StringComparison.Ordinal);
        Assert.Equal("Standard_NC4as_T4_v3", (string?)p["resources"]!["instanceType"]);
        Assert.Equal("PT10M", (string?)p["limits"]!["timeout"]);
        Assert.Equal("Managed", (string?)p["identity"]!["identityType"]);
        Assert.Equal("1", aml.EnvironmentVariables[JobExitRecord.AttemptVariable]);
        Assert.Equal("4b8d5f61-2c3e-4a7b-9d10-6e5f4c3b2a19", aml.EnvironmentVariables["AZURE_CLIENT_ID"]);
        Assert.Equal(activity.Id, aml.EnvironmentVariables["TRACEPARENT"]);
        Assert.Equal(AzureMlJobNames.Job(_store.Location, "r-sft", 1), aml.Name);
        // the trainer ran as the attempt Azure ML was told: its own exit record says attempt 1
        Assert.Equal(1, (await _store.ReadJsonAsync<JobExitRecord>(JobExitRecord.PathFor("runs/r/r-sft"))).Attempt);
        // the retry found its job by the attempt's tag and made no second one
        Assert.Equal(1, _standIn.CallsByRoute()["PUT jobs/{name}"]);
        Assert.Equal(1, _standIn.CallsByRoute()["PUT environments/{name}/versions/{version}"]);
        Assert.Equal([AzureMlArmClient.ApiVersion], _standIn.ApiVersions);
        Assert.All(_standIn.Credential.Scopes, s => Assert.Equal(AzureMlArmClient.Scope, s));
    }

    [Fact]
    public async Task ThrottlingAndServerErrorsAreRetriedByThePipeline()
    {
        _standIn.Inject(RequestFault.Throttle(2, TimeSpan.FromSeconds(1), "PUT", "jobs/"));
        _standIn.Inject(RequestFault.ServerError(2, "GET", "jobs/"));
        _standIn.Inject(RequestFault.ServerError(1, "PUT", "environments/"));

        var job = await _runner.SubmitAsync(Sft(), 1);
        var done = await TinySft.UntilAsync(_runner, job, TinySft.Finished);

        Assert.True(done.State == JobState.Succeeded, done.Message);
        var calls = _standIn.Calls;
        Assert.Equal([429, 429, 201], calls.Where(c => c is { Method: "PUT", Route: "jobs/{name}" }).Select(c => c.Status));
        Assert.Equal([500, 201], calls.Where(c => c is { Method: "PUT", Route: "environments/{name}/versions/{version}" }).Select(c => c.Status));
        Assert.Equal([500, 500, 200], calls.Where(c => c is { Method: "GET", Route: "jobs/{name}" }).Take(3).Select(c => c.Status));
    }

    [Fact]
    public async Task CancellingTheRunReachesTheStandInThroughTheRunnerThatStartedTheJob()
    {
        using var local = new LocalJobRunner(_store, Options.Create(new LocalJobRunnerOptions()), NullLogger<LocalJobRunner>.Instance);
        var router = new JobRunnerRouter([local, _runner]);
        var job = await router.SubmitAsync(Sft(steps: 1_000_000), 1);
        await TinySft.UntilAsync(router, job, p => p.State == JobState.Running && p.TotalSteps == 1_000_000);

        var cancelled = await RunJobs.CancelUnfinishedAsync(_store, router, "r");
        var after = await TinySft.UntilAsync(router, job, p => p.State != JobState.Running);

        Assert.Equal(1, cancelled);
        Assert.Equal(1, _standIn.CallsByRoute()["POST jobs/{name}/cancel"]);
        Assert.True(OnlyJob().CancelRequested);
        Assert.Equal(JobState.Failed, after.State);
        Assert.Contains("is Canceled", after.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingRoleFailsAtOnceNamingThePermissionAndTheRole()
    {
        _standIn.Inject(RequestFault.Forbidden("Microsoft.MachineLearningServices/workspaces/jobs/write", "PUT", "jobs/"));

        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _runner.SubmitAsync(Sft(), 1));

        Assert.Contains("'Microsoft.MachineLearningServices/workspaces/jobs/write'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzureML Data Scientist", error.Message, StringComparison.Ordinal);
        Assert.Contains("403 AuthorizationFailed", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _standIn.CallsByRoute()["PUT jobs/{name}"]); // not retried
        Assert.Contains("System.UnauthorizedAccessException", Orchestrations.RetryPolicies.Permanent); // nor by the workflow
    }

    /// <summary>Each status of the REST spec, with no artifacts to say more: what the monitor is told.</summary>
    [Theory]
    [InlineData("NotStarted", JobState.Pending)]
    [InlineData("Starting", JobState.Pending)]
    [InlineData("Provisioning", JobState.Pending)]
    [InlineData("Preparing", JobState.Pending)]
    [InlineData("Queued", JobState.Pending)]
    [InlineData("Running", JobState.Running)]
    [InlineData("Finalizing", JobState.Running)]
    [InlineData("CancelRequested", JobState.Running)]
    [InlineData("Completed", JobState.Failed)]
    [InlineData("Failed", JobState.Failed)]
    [InlineData("Canceled", JobState.Failed)]
    [InlineData("NotResponding", JobState.Lost)]
    [InlineData("Paused", JobState.Pending)]
    [InlineData("Unknown", JobState.Running)]
    public async Task EveryAzureMlStatusMapsOntoAJobState(string status, JobState expected)
    {
        _standIn.Plan = (_, _) => new JobPlan(JobFault.Pinned, status);

        var progress = await _runner.GetStatusAsync(await _runner.SubmitAsync(Sft(), 1));

        Assert.Equal(expected, progress.State);
        Assert.Contains($"is {status}", progress.Message, StringComparison.Ordinal);
        Assert.False(progress.Permanent);
        Assert.True(AzureMlJobStates.Table.ContainsKey(status));
        // a lost attempt is cancelled at Azure ML, so it cannot come back beside the attempt that replaces it
        Assert.Equal(expected == JobState.Lost ? 1 : 0, _standIn.CallsByRoute().GetValueOrDefault("POST jobs/{name}/cancel"));
    }

    [Fact]
    public void TheStatusTableCoversEveryStatusOfTheRestSpec()
    {
        string[] spec = ["NotStarted", "Starting", "Provisioning", "Preparing", "Queued", "Running", "Finalizing", "CancelRequested", "Completed", "Failed", "Canceled", "NotResponding", "Paused", "Unknown"];

        Assert.Equal(spec.Order(StringComparer.Ordinal), AzureMlJobStates.Table.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AStatusAzureMlCannotTellIsLostOnceTheHeartbeatIsStale()
    {
        _standIn.Plan = (_, _) => new JobPlan(JobFault.Pinned, "Unknown");
        var spec = Sft();
        var submitted = DateTimeOffset.UtcNow - ArtifactJobStatus.DefaultStaleAfter - TimeSpan.FromMinutes(1);
        var target = StandInWorkspace.Default;
        // attempt 1 was recorded (by a worker that died before it submitted) long ago
        await _store.PutJsonAsync(ArtifactLayout.JobAttempt("r-sft", 1), new JobAttemptRecord("r-sft", 1, "gone#1", submitted)
        {
            Runner = JobRunnerKind.AzureMl,
            AzureMlJob = $"{target.Id}/jobs/{AzureMlJobNames.Job(_store.Location, "r-sft", 1)}",
        });

        var progress = await _runner.GetStatusAsync(await _runner.SubmitAsync(spec, 1));

        Assert.Equal(JobState.Lost, progress.State);
        Assert.Contains("no heartbeat for", progress.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheJobsArtifactsDecideOverItsAzureMlStatus()
    {
        _standIn.Plan = (_, _) => new JobPlan(JobFault.Pinned, "Running");
        var job = await _runner.SubmitAsync(Sft(), 1);
        await _store.OverwriteJsonAsync(JobExitRecord.PathFor(job.Output), new JobExitRecord { JobId = job.JobId, Attempt = 1, ExitCode = JobExitCodes.InvalidSpec, Message = "rlhf-trainer: invalid job" });

        var progress = await _runner.GetStatusAsync(job);

        Assert.Equal(JobState.Failed, progress.State);
        Assert.True(progress.Permanent, progress.Message); // a rejected spec, whatever Azure ML still says
    }

    [Fact]
    public async Task AJobThatGoesFailedWithoutAnExitRecordIsFailedAndRetryable()
    {
        _standIn.Plan = (_, _) => new JobPlan(JobFault.Fails);

        var done = await TinySft.UntilAsync(_runner, await _runner.SubmitAsync(Sft(), 1), TinySft.Finished);

        Assert.Equal(JobState.Failed, done.State);
        Assert.False(done.Permanent);
        Assert.Contains("is Failed without an exit record or a manifest", done.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeThatStopsRespondingIsLostCancelledAndTheNextAttemptResumesFromItsCheckpoint()
    {
        _standIn.Plan = (name, _) => new JobPlan(name == AzureMlJobNames.Job(_store.Location, "r-sft", 1) ? JobFault.NotRespondingAtCheckpoint : JobFault.None);
        var spec = Sft(steps: 300, checkpointEvery: 10);

        var first = await TinySft.UntilAsync(_runner, await _runner.SubmitAsync(spec, 1), TinySft.Finished);
        var second = await TinySft.UntilAsync(_runner, await _runner.SubmitAsync(spec, 2), TinySft.Finished);

        Assert.Equal(JobState.Lost, first.State);
        Assert.Contains("is NotResponding", first.Message, StringComparison.Ordinal);
        Assert.True(second.State == JobState.Succeeded, second.Message);
        var attempts = _standIn.Jobs.Values.OrderBy(j => j.EnvironmentVariables[JobExitRecord.AttemptVariable], StringComparer.Ordinal).ToList();
        Assert.True(attempts[0].CancelRequested, "the lost attempt was cancelled at Azure ML");
        var log = await File.ReadAllTextAsync(attempts[1].LogFile);
        Assert.Matches(ResumedAt(), log);
    }

    [Fact]
    public async Task AHostWithoutAzureMlRefusesTheJobAndAnImageFromAnotherRegistryIsRefused()
    {
        var bare = Runner(_ => { });

        var none = await Assert.ThrowsAsync<NotSupportedException>(() => bare.SubmitAsync(Sft(), 1));
        var foreign = await Assert.ThrowsAsync<ArgumentException>(() => _runner.SubmitAsync(Sft() with { AzureMl = new AzureMlSpec { Timeout = "PT1H", Image = "evil.example.com/miner:latest" } }, 1));

        Assert.Contains("no Azure ML configuration", none.Message, StringComparison.Ordinal);
        Assert.Contains("$.compute.azureml.image", foreign.Message, StringComparison.Ordinal);
        Assert.Empty(_standIn.Calls);
        Assert.False(await _store.ExistsAsync(ArtifactLayout.JobSpec("r-sft")));
    }

    [GeneratedRegex("resumed from checkpoint at step [1-9][0-9]*")]
    private static partial Regex ResumedAt();
}

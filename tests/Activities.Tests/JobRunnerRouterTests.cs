using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rlhf.Activities.Jobs;
using Rlhf.Activities.Jobs.AzureMl;
using Rlhf.Activities.Tests.Support;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests;

/// <summary>
/// The runner seam: one router hands each job to the runner of its kind, and histories written before runner kinds existed
/// still read (their jobs are local). The runners are the real ones; this host has no Azure ML configuration.
/// </summary>
public sealed class JobRunnerRouterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-router-").FullName;
    private readonly LocalArtifactStore _store;
    private readonly LocalJobRunner _local;
    private readonly AzureMlJobRunner _azureMl;

    public JobRunnerRouterTests()
    {
        _store = new LocalArtifactStore(_root);
        _local = new LocalJobRunner(_store, Options.Create(new LocalJobRunnerOptions { WorkDirectory = Path.Combine(_root, ".work") }), NullLogger<LocalJobRunner>.Instance);
        var options = new AzureMlOptions();
        _azureMl = new AzureMlJobRunner(_store, Options.Create(options), new AzureMlArmClient(options.Endpoint, new Azure.Identity.DefaultAzureCredential()), NullLogger<AzureMlJobRunner>.Instance);
    }

    public void Dispose()
    {
        _local.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void EveryRunnerKindMustHaveARunner()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new JobRunnerRouter([_local]));

        Assert.Contains("missing: [AzureMl]", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new JobRunnerRouter([_local, _local, _azureMl]));
    }

    [Fact]
    public async Task AJobGoesToTheRunnerOfItsSpecAndItsHandleBackToIt()
    {
        var router = new JobRunnerRouter([_local, _azureMl]);
        var azureMl = TinySft.Spec(_store.Location, "r-a", "runs/r/r-a", 4) with { Runner = JobRunnerKind.AzureMl, AzureMl = new AzureMlSpec { Timeout = "PT1H" } };

        var refused = await Assert.ThrowsAsync<NotSupportedException>(() => router.SubmitAsync(azureMl, 1));
        var status = await router.GetStatusAsync(new JobHandle("r-a", JobVerbs.Sft, "runs/r/r-a", 1) { Runner = JobRunnerKind.AzureMl });

        Assert.Contains("no Azure ML configuration", refused.Message, StringComparison.Ordinal); // never run locally instead
        Assert.False(await _store.ExistsAsync(ArtifactLayout.JobSpec("r-a")));
        Assert.Equal(JobState.Lost, status.State);
        Assert.Contains("no Azure ML job recorded", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachRunnerSaysAtSubmissionWhetherThisHostCanRunASpecsJobs()
    {
        var tiny = RunSpec.Parse("""{ "name": "x" }""");
        var azureMl = RunSpec.Parse("""{ "name": "x", "compute": { "runner": "azureml" } }""");
        using var withoutTrainer = new LocalJobRunner(_store, Options.Create(new LocalJobRunnerOptions { TrainerPath = Path.Combine(_root, "no", "rlhf-trainer.dll") }), NullLogger<LocalJobRunner>.Instance);

        Assert.Empty(_local.FindErrors(tiny)); // rlhf-trainer.dll is next to this assembly, as next to rlhf.dll
        Assert.Equal("$.compute.runner", Assert.Single(withoutTrainer.FindErrors(tiny)).Path); // as in the Function App's package
        Assert.Equal("$.compute.runner", Assert.Single(_azureMl.FindErrors(azureMl)).Path); // no Rlhf:AzureMl settings here
    }

    [Fact]
    public void HandlesSpecsAndRecordsFromBeforeRunnerKindsReadAsLocal()
    {
        var handle = JsonSerializer.Deserialize<JobHandle>("""{"jobId":"r-sft","verb":"sft","output":"runs/r/sft","attempt":2}""", JsonDefaults.Options)!;
        var monitor = JsonSerializer.Deserialize<RunTrainingJobInput>(
            """{"spec":{"verb":"sft","jobId":"r-sft","store":"/s","output":"runs/r/sft"},"policy":{"maxAttempts":3,"pollInterval":"00:00:05","attemptTimeout":"02:00:00"},"attempt":2,"current":{"jobId":"r-sft","verb":"sft","output":"runs/r/sft","attempt":2}}""",
            JsonDefaults.Options)!;
        var attempt = JsonSerializer.Deserialize<JobAttemptRecord>("""{"jobId":"r-sft","attempt":2,"host":"box","submittedUtc":"2026-12-01T00:00:00Z"}""", JsonDefaults.Options)!;
        var process = JsonSerializer.Deserialize<JobProcessRecord>("""{"jobId":"r-sft","attempt":2,"host":"box","processId":42,"startedUtc":"2026-12-01T00:00:00Z"}""", JsonDefaults.Options)!;

        Assert.Equal(JobRunnerKind.Local, handle.Runner);
        Assert.Equal(JobRunnerKind.Local, monitor.Spec.Runner);
        Assert.Null(monitor.Spec.AzureMl);
        Assert.Equal(JobRunnerKind.Local, monitor.Current!.Runner);
        Assert.Equal(JobRunnerKind.Local, attempt.Runner);
        Assert.Null(attempt.Worker);
        Assert.Null(process.Worker);
    }

    [Fact]
    public void ALocalJobSpecIsWrittenAsBeforeRunnerKindsExistedAndAnAzureMlOneNamesItsRunner()
    {
        var local = JsonSerializer.Serialize(TinySft.Spec("/s", "r-sft", "runs/r/sft", 4), JsonDefaults.Options);
        var azureMl = JsonSerializer.Serialize(TinySft.Spec("/s", "r-sft", "runs/r/sft", 4) with { Runner = JobRunnerKind.AzureMl, AzureMl = new AzureMlSpec { Timeout = "PT2H" } }, JsonDefaults.Options);

        // spec.json is write-once: a job in flight before the upgrade is resubmitted with the same bytes
        Assert.DoesNotContain("\"runner\"", local, StringComparison.Ordinal);
        Assert.DoesNotContain("\"azureml\"", local, StringComparison.Ordinal);
        Assert.Contains("\"runner\":\"azureml\"", azureMl, StringComparison.Ordinal);
        Assert.Contains("\"azureml\":{\"timeout\":\"PT2H\"}", azureMl, StringComparison.Ordinal);
    }
}

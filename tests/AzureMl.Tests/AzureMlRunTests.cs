using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.DurableTask.Client;
using Rlhf.Activities.Jobs.AzureMl;
using Rlhf.AzureMl.Tests.Support;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Xunit.Abstractions;

namespace Rlhf.AzureMl.Tests;

/// <summary>
/// Whole runs through the HTTP API of the real local host with <c>compute.runner: "azureml"</c> (<see cref="AzureMlRunFixture"/>):
/// every trainer job is an Azure ML command job at the stand-in, which runs the same trainer build against Azurite.
/// </summary>
public sealed partial class AzureMlRunTests(AzureMlRunFixture fixture, ITestOutputHelper output) : IClassFixture<AzureMlRunFixture>, IDisposable
{
    private AzureMlStandIn StandIn => fixture.StandIn;

    public void Dispose()
    {
        StandIn.ClearFaults();
        StandIn.Plan = (_, _) => new JobPlan();
    }

    [Fact]
    public void AnAzureMlRunCompletesWithStepOutputsIdenticalToTheSameSpecRunLocally()
    {
        fixture.AzureMlOutputs.AssertIdenticalTo(fixture.LocalOutputs);
        Assert.Equal(6, fixture.RunJobs); // sft, 2 sample shards, reward, ppo, evaluate: one Azure ML job each
        Assert.Equal(1, fixture.RunCalls["PUT jobs/{name}"] / fixture.RunJobs); // never a second job for one attempt
        Assert.Equal([AzureMlArmClient.ApiVersion], StandIn.ApiVersions);
        output.WriteLine($"{fixture.AzureMlOutputs.Hashes.Count} step outputs hash-identical (SHA-256) to the local run");
        output.WriteLine(
            $"wall time: local {fixture.LocalWallTime.TotalSeconds:0.0} s, azureml stand-in {fixture.AzureMlWallTime.TotalSeconds:0.0} s "
            + $"(ratio {fixture.AzureMlWallTime / fixture.LocalWallTime:0.00}), one after the other on this machine");
        output.WriteLine($"ARM calls of the azureml run ({fixture.RunJobs} jobs):");
        foreach (var (route, count) in fixture.RunCalls)
        {
            output.WriteLine($"  {route}: {count} ({(double)count / fixture.RunJobs:0.0} per job)");
        }
    }

    [Fact]
    public async Task APpoJobWhoseNodeDiesIsResubmittedResumesFromItsCheckpointAndEndsIdentical()
    {
        // the run's PPO job again, under a new id and output, monitored by the workflow's RunTrainingJob
        var ppo = await fixture.AzureMlHost.Store.ReadJsonAsync<JobSpec>(ArtifactLayout.JobSpec($"{AzureMlRunFixture.RunId}-ppo"));
        var copy = ppo with { JobId = $"{AzureMlRunFixture.RunId}-ppo-again", Output = $"runs/{AzureMlRunFixture.RunId}/ppo-again" };
        var firstAttempt = AzureMlJobNames.Job(ppo.Store, copy.JobId, 1);
        StandIn.Plan = (name, _) => new JobPlan(name == firstAttempt ? JobFault.NodeDiesAtCheckpoint : JobFault.None);

        var durable = fixture.AzureMlHost.Durable;
        var id = await durable.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.RunTrainingJob, new RunTrainingJobInput(copy, new JobPolicy(MaxAttempts: 2, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10))));
        using var timeout = new CancellationTokenSource(AzureMlRunFixture.RunTimeout);
        var done = await durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ToString());
        var result = done.ReadOutputAs<TrainingJobResult>()!;
        Assert.Equal(2, result.Attempts);
        var attempts = StandIn.Jobs.Values.Where(j => j.Name.StartsWith("rlhf-aml-ppo-again-", StringComparison.Ordinal))
            .OrderBy(j => j.EnvironmentVariables[JobExitRecord.AttemptVariable], StringComparer.Ordinal).ToList();
        Assert.Equal(("Failed", "Completed"), (attempts[0].Status, attempts[1].Status));
        var log = await File.ReadAllTextAsync(attempts[1].LogFile);
        var resumed = ResumedAt().Match(log);
        Assert.True(resumed.Success, $"attempt 2 did not resume from a checkpoint:{Environment.NewLine}{log}");
        // and the resumed job trained the same policy as the undisturbed one
        var store = fixture.AzureMlHost.Store;
        var again = (await store.ReadJsonAsync<StepManifest>(StepManifest.PathFor(copy.Output))).Outputs.Where(o => o.Path.Contains("/model/", StringComparison.Ordinal)).ToList();
        var original = (await store.ReadJsonAsync<StepManifest>(StepManifest.PathFor(ppo.Output))).Outputs.ToDictionary(o => o.Path, o => o.Sha256);
        Assert.NotEmpty(again);
        Assert.All(again, o => Assert.Equal(original[o.Path.Replace("/ppo-again/", "/ppo/", StringComparison.Ordinal)], o.Sha256));
        output.WriteLine($"PPO attempt 1's node died after its first checkpoint; attempt 2 {resumed.Value}; {again.Count} model files identical to the undisturbed PPO job");
    }

    [Fact]
    public async Task ARunWhoseIdentityLacksTheRoleFailsAtItsFirstJobWithTheMissingPermission()
    {
        StandIn.Inject(RequestFault.Forbidden("Microsoft.MachineLearningServices/workspaces/jobs/write", "PUT", "jobs/"));
        var puts = StandIn.CallsByRoute()["PUT jobs/{name}"];

        using var started = await fixture.AzureMlHost.PostRunAsync("denied", AzureMlRunFixture.Spec("azureml"));
        var run = await fixture.AzureMlHost.WaitAsync("denied", AzureMlRunFixture.RunTimeout);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.True(run.RuntimeStatus == "Failed", $"{run.RuntimeStatus}: {run.Message}");
        Assert.True(run.Error?.Contains("'Microsoft.MachineLearningServices/workspaces/jobs/write'", StringComparison.Ordinal) == true, run.Error);
        Assert.Contains("AzureML Data Scientist", run.Error, StringComparison.Ordinal);
        Assert.Equal(puts + 1, StandIn.CallsByRoute()["PUT jobs/{name}"]); // once: neither the pipeline nor the workflow retried it
    }

    [Fact]
    public async Task ASpecIsRefusedAtSubmissionWhenTheHostCannotRunItOnAzureMl()
    {
        var calls = StandIn.Calls.Count;

        using var foreignImage = await fixture.AzureMlHost.PostRunAsync("r1", AzureMlRunFixture.Spec("azureml", new JsonObject { ["image"] = "docker.example.com/x/miner:1" }));
        using var noAzureMl = await fixture.LocalHost.PostRunAsync("r2", AzureMlRunFixture.Spec("azureml"));

        var foreignProblem = await foreignImage.Content.ReadAsStringAsync();
        var noAzureMlProblem = await noAzureMl.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, foreignImage.StatusCode);
        Assert.True(foreignProblem.Contains("\"path\":\"$.compute.azureml.image\"", StringComparison.Ordinal), foreignProblem);
        Assert.Equal(HttpStatusCode.BadRequest, noAzureMl.StatusCode);
        Assert.True(noAzureMlProblem.Contains("\"path\":\"$.compute.runner\"", StringComparison.Ordinal), noAzureMlProblem);
        Assert.Equal(calls, StandIn.Calls.Count);
    }

    [GeneratedRegex("resumed from checkpoint at step [1-9][0-9]*")]
    private static partial Regex ResumedAt();
}

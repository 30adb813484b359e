using Microsoft.DurableTask.Client;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;
using Rlhf.Orchestrations.Tests.Support;

namespace Rlhf.Orchestrations.Tests;

/// <summary>
/// Replay safety for real: a run is started, its worker host is stopped while trainer jobs are running, and a fresh
/// worker (new job runner, nothing in memory) replays every orchestration from history, adopts the trainer processes
/// still running (from their process records) and finishes the run.
/// </summary>
public sealed class WorkerRestartTests
{
    [Fact]
    public async Task RunStartedOnOneWorkerCompletesOnAFreshWorkerAfterARestart()
    {
        var root = Directory.CreateTempSubdirectory("rlhf-restart-").FullName;
        var store = new LocalArtifactStore(root);
        try
        {
            await using var engine = await SidecarEngine.StartAsync();
            await WorkflowHost.SeedTinyDatasetAsync(store);
            var spec = RealTrainer.TinySpec();
            var first = await engine.StartWorkerAsync(store, root);
            var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RlhfRun, new RlhfRunInput("rs-1", spec, store.Location));

            // stop the worker while the sample jobs run (SFT done), between polls: the in-memory sidecar does not
            // redeliver a work item that was in flight on a vanished worker (Azure Storage does, when its lease expires)
            await WaitUntilAsync(() => store.ExistsAsync("runs/rs-1/samples/shard-0/status.json"), TimeSpan.FromSeconds(60));
            await Task.Delay(300);
            await first.StopAsync();
            first.Dispose();
            await Task.Delay(500);
            using var second = await engine.StartWorkerAsync(store, root);

            OrchestrationMetadata? meta = null;
            await WaitUntilAsync(async () =>
            {
                meta = await engine.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
                return meta?.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed;
            }, TimeSpan.FromSeconds(90));

            Assert.True(meta!.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{meta.RuntimeStatus} {meta.FailureDetails} {meta.SerializedCustomStatus}");
            var result = meta.ReadOutputAs<RlhfRunResult>()!;
            Assert.Equal("runs/rs-1/ppo/model", result.Policy);
            Assert.True(await store.ExistsAsync("runs/rs-1/manifest.json"));
            Assert.False(await store.ExistsAsync(ArtifactLayout.JobAttempt("rs-1-samples-shard-0", 2)), "the fresh worker resubmitted a sample job that was still running instead of adopting it");
            await second.StopAsync();
        }
        finally
        {
            WorkflowHost.DeleteFolder(root);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }
}

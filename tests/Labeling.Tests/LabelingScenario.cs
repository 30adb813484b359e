using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Rlhf.Activities.Labeling;
using Rlhf.Api.Labeling;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;
using Rlhf.Tests.Hosting;

namespace Rlhf.Labeling.Tests;

/// <summary>
/// A run's labeling stage without the trainer: a sample shard written to the store and the real <c>LabelComparisons</c>
/// orchestration started as <c>{runId}:labels</c> in mode human on the local host; it prepares one batch of
/// <see cref="Items"/> (two pairs and one three-way comparison) and waits for people.
/// </summary>
internal static class LabelingScenario
{
    public static readonly SampleRecord[] Items =
    [
        new("p-a", "The sea was", [new("calm and bright under the morning sun."), new("the the the sea sea.")]),
        new("p-b", "Ishmael walked", [new("to the harbour to find a ship."), new("slowly along the quiet street.")]),
        new("p-c", "The whale", [new("rose from the deep."), new("whale whale whale."), new("sang to the sailors at dusk.")]),
    ];

    public static Task StartAsync(LocalHostFixture host, string runId, int annotators = 2, StepReuseOptions? reuse = null) =>
        StartAsync(host.Store, host.Durable, runId, annotators, reuse);

    /// <param name="reuse">As a run started over the API passes it (docs/reuse.md); null: a labeling stage that neither looks up nor records.</param>
    public static async Task StartAsync(IArtifactStore store, DurableTaskClient durable, string runId, int annotators = 2, StepReuseOptions? reuse = null)
    {
        await WaitForEngineAsync(durable, runId);
        var shard = await store.PutAsync(ArtifactLayout.Samples($"runs/{runId}/samples/shard-0000"), Jsonl.Serialize(Items));
        var labeling = new LabelingSpec
        {
            Mode = LabelingMode.Human,
            BatchSize = Items.Length,
            AnnotatorsPerComparison = annotators,
            Human = new HumanLabelingSpec { TimeoutMinutes = 60, OnTimeout = HumanTimeoutPolicy.Fail },
        };
        await durable.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.LabelComparisons, new LabelComparisonsInput(runId, [shard], labeling, Seed: 1) { Reuse = reuse }, new StartOrchestrationOptions(LabelingRun.InstanceId(runId)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await store.ExistsAsync(ArtifactLayout.LabelBatch(runId, 0)))
        {
            Assert.True(DateTime.UtcNow < deadline, "PrepareLabelBatches did not write batch 0 within 30 s.");
            await Task.Delay(200);
        }
    }

    public static Task<LabelLinks> LinksAsync(LocalHostFixture host, string runId, params string[] labelers) =>
        LinksAsync(host.Http, runId, labelers);

    public static async Task<LabelLinks> LinksAsync(HttpClient http, string runId, params string[] labelers)
    {
        using var response = await http.PostAsJsonAsync($"api/runs/{runId}/label-links", new LabelLinksRequest(labelers), JsonDefaults.Options);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<LabelLinks>(JsonDefaults.Options))!;
    }

    public static string TokenOf(LabelLink link) => Uri.UnescapeDataString(link.Url[(link.Url.IndexOf("token=", StringComparison.Ordinal) + 6)..]);

    public static string Id(string runId, string promptId) => $"{runId}:0:{promptId}";

    /// <summary>Polls the <c>{runId}:labels</c> instance until it leaves Running/Pending.</summary>
    public static Task<OrchestrationMetadata> WaitForLabelsAsync(LocalHostFixture host, string runId, TimeSpan timeout) =>
        WaitForLabelsAsync(host.Durable, runId, timeout);

    public static async Task<OrchestrationMetadata> WaitForLabelsAsync(DurableTaskClient durable, string runId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var instance = await durable.GetInstanceAsync(LabelingRun.InstanceId(runId), getInputsAndOutputs: true);
            if (instance is { RuntimeStatus: not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending) })
            {
                return instance;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{runId}:labels is still {instance?.RuntimeStatus}.");
            await Task.Delay(250);
        }
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>
    /// The worker starts before Kestrel listens, so the host's gRPC channel to its own sidecar may be in connection back-off
    /// for about a second after start (calls fail with Unavailable); a user would just retry, the test waits it out.
    /// </summary>
    public static async Task WaitForEngineAsync(DurableTaskClient durable, string runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                await durable.GetInstanceAsync($"{runId}:labels");
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}

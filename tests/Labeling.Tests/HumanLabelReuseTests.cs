using System.Net.Http.Json;
using Microsoft.DurableTask.Client;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Activities.Reuse;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Tests.Hosting;

namespace Rlhf.Labeling.Tests;

/// <summary>
/// People's labels are never thrown away (docs/reuse.md): a later run that puts the same comparisons to people takes their
/// stored submissions instead of asking again; only a run with reuse off asks again.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class HumanLabelReuseTests(LocalHostFixture host)
{
    private static readonly StepReuseOptions Reuse = new(Lookup: true) { HumanLabels = true };

    [Fact]
    public async Task A_later_run_with_the_same_comparisons_takes_the_stored_answers_and_asks_nobody()
    {
        // people answer the batch of the first run
        var first = NewRunId();
        await LabelingScenario.StartAsync(host, first, annotators: 1, Reuse);
        var token = LabelingScenario.TokenOf((await LabelingScenario.LinksAsync(host, first, "alice")).Links.Single());
        using (var submitted = await host.Http.PostAsJsonAsync("api/label/submissions", new
        {
            token,
            answers = new object[]
            {
                new { comparisonId = LabelingScenario.Id(first, "p-a"), choice = "first" },
                new { comparisonId = LabelingScenario.Id(first, "p-b"), choice = "second" },
                new { comparisonId = LabelingScenario.Id(first, "p-c"), ranking = new[] { 2, 0, 1 } },
            },
        }, JsonDefaults.Options))
        {
            Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        }

        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await LabelingScenario.WaitForLabelsAsync(host, first, TimeSpan.FromSeconds(60))).RuntimeStatus);

        // the second run's batch shows the same comparisons: answered from alice's stored submission, nobody asked. It runs
        // its labeling stage again (as a rerun from the labels stage does; else the whole stage would be reused)
        var second = NewRunId();
        await LabelingScenario.StartAsync(host, second, annotators: 1, Reuse with { Lookup = false });
        var done = await LabelingScenario.WaitForLabelsAsync(host, second, TimeSpan.FromSeconds(60));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(1, done.ReadOutputAs<LabelComparisonsResult>()!.HumanBatchesReused);
        Assert.Equal(first, (await host.Store.ReadJsonAsync<HumanBatchReuse>(HumanSubmissionStore.ReusedPath(second, 0))).FromRun);
        Assert.Empty(await host.BlobsAsync($"runs/{second}/labels/human/batch-0000/alice"));
        var theirs = await LabelsAsync(first);
        var ours = await LabelsAsync(second);
        // the same judgements, as lines of this run (ids carry the run)
        Assert.Equal(5, ours.Count);
        Assert.Equal(
            theirs.Select(l => (l.PromptId, l.ChosenIndex, l.RejectedIndex, l.Chosen, l.Rejected, l.Labeler)),
            ours.Select(l => (l.PromptId, l.ChosenIndex, l.RejectedIndex, l.Chosen, l.Rejected, l.Labeler)));
        Assert.All(ours, l => Assert.StartsWith($"{second}:", l.Id, StringComparison.Ordinal));
        Assert.All(ours, l => Assert.Equal("human:alice", l.Labeler));

        // a run with reuse off asks people again
        var third = NewRunId();
        await LabelingScenario.StartAsync(host, third, annotators: 1, new StepReuseOptions(Lookup: false));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Durable.GetInstanceAsync($"{third}:labels"))!.RuntimeStatus);
        Assert.False(await host.Store.ExistsAsync(ArtifactLayout.Labels(third, 0)));
        await host.Durable.TerminateInstanceAsync($"{third}:labels", "test done");
    }

    private async Task<IReadOnlyList<PreferenceRecord>> LabelsAsync(string runId) =>
        Jsonl.Deserialize<PreferenceRecord>("labels", await host.Store.ReadAsync(ArtifactLayout.Labels(runId, 0)));

    private static string NewRunId() => $"reu-{Guid.NewGuid():N}"[..16];
}

using Microsoft.DurableTask.Client;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Judges;

/// <summary>Mode ai through the real <c>LabelComparisons</c> fan-out on the in-process Durable Task engine, with the production registrations.</summary>
public sealed class AiLabelingWorkflowTests : IDisposable
{
    private readonly JudgeTestData _data = new();

    [Fact]
    public async Task ConstitutionJudgeLabelsEveryBatchAndTheRunsAgreementCanBeComputed()
    {
        string[] phrases = [" was kind and good to all.", " hated the cruel dark storm.", " saw the sea and the ship.", " killed the poor wretched beast."];
        var items = Enumerable.Range(0, 10)
            .Select(i => JudgeTestData.Item($"p{i:D2}", $"The whale number {i}", phrases[i % 4], phrases[(i + 1) % 4], phrases[(i + 2) % 4]))
            .ToList();
        var shard = await _data.Store.PutAsync("runs/ai-run/samples/shard-0/samples.jsonl", Jsonl.Serialize(items));
        await using var host = await _data.StartWorkflowHostAsync();

        var input = new LabelComparisonsInput("ai-run", [shard], new LabelingSpec { Mode = LabelingMode.Ai, BatchSize = 4 }, Seed: 3);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.LabelComparisons, input);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());

        var result = meta.ReadOutputAs<LabelComparisonsResult>()!;
        Assert.Equal(3, result.Batches); // 10 prompts in batches of 4
        Assert.Equal(30, result.Pairs); // C(3,2) pairs each, none tied: the phrases differ in harshness or sentiment
        var preferences = Jsonl.Deserialize<PreferenceRecord>("merged", await _data.Store.ReadAsync(result.Preferences.Path));
        Assert.All(preferences, p => Assert.Equal(ConstitutionJudge.Name, p.Labeler));
        Assert.DoesNotContain(preferences, p => p.Chosen.Contains("cruel", StringComparison.Ordinal) && p.Rejected.Contains("kind", StringComparison.Ordinal));

        var report = await AgreementFiles.ForRunAsync(_data.Store, "ai-run");
        Assert.Equal(30, report.Comparisons);
        Assert.Equal(ConstitutionJudge.Name, report.Labelers.Single().Labeler);
        Assert.Null(report.JudgeHuman); // nobody else labeled these comparisons
    }

    public void Dispose() => _data.Dispose();
}

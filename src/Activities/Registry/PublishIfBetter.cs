using Microsoft.DurableTask;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Registry;

/// <summary>
/// The promotion gate (rules in <see cref="ModelRegistry.PublishIfBetterAsync"/>): the candidate becomes champion only if
/// its evaluation metric beats the champion's by more than <c>publish.minImprovement</c>; otherwise it is kept (its
/// artifacts stay) and the champion does not change. A candidate without a finite metric is kept, never promoted. The
/// decision, with both figures, is written to <c>runs/{runId}/publish/decision.json</c>; a retry returns that file.
/// </summary>
public sealed class PublishIfBetter(ModelRegistry registry, IArtifactStore store, TimeProvider time) : TaskActivity<PublishInput, PublishResult>
{
    public override async Task<PublishResult> RunAsync(TaskActivityContext context, PublishInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var path = ArtifactLayout.PublishDecision(input.RunId);
        if (await store.ExistsAsync(path))
        {
            return await store.ReadJsonAsync<PublishResult>(path);
        }

        var decision = await DecideAsync(input);
        await store.PutJsonAsync(path, decision);
        return decision;
    }

    private async Task<PublishResult> DecideAsync(PublishInput input)
    {
        var metric = MetricKeyOf(input.Publish.Metric);
        if (!input.Metrics.TryGetValue(metric, out var score) || !double.IsFinite(score))
        {
            var champion = await registry.GetChampionAsync();
            return new PublishResult(false, $"the evaluation reported no finite {metric}: a candidate without the gate metric is never promoted", null, champion?.Score)
            {
                Metric = metric, MinImprovement = input.Publish.MinImprovement, ChampionRunId = champion?.RunId,
            };
        }

        var candidate = new Champion
        {
            RunId = input.RunId,
            Policy = input.Policy,
            RewardModel = input.RewardModel,
            Preferences = input.Preferences,
            Metric = metric,
            Score = score,
            Metrics = input.Metrics,
            PublishedUtc = time.GetUtcNow(),
        };
        return await registry.PublishIfBetterAsync(candidate, input.Publish.MinImprovement);
    }

    public static string MetricKeyOf(PublishMetric metric) => metric == PublishMetric.Gold ? MetricKeys.Gold : MetricKeys.Reward;
}

using Microsoft.DurableTask;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Registry;

/// <summary>The promotion gate: the candidate becomes champion only if its evaluation metric beats the champion's.</summary>
public sealed class PublishIfBetter(ModelRegistry registry, TimeProvider time) : TaskActivity<PublishInput, PublishResult>
{
    public override async Task<PublishResult> RunAsync(TaskActivityContext context, PublishInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var metric = MetricKeyOf(input.Publish.Metric);
        if (!input.Metrics.TryGetValue(metric, out var score) || !double.IsFinite(score))
        {
            return new PublishResult(false, $"the evaluation reported no finite {metric}");
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

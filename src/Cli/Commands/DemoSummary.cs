using Rlhf.Api;
using Rlhf.Core.Contracts;

namespace Rlhf.Cli.Commands;

/// <summary>What <c>rlhf demo</c> reports (and prints as JSON with <c>--json</c>).</summary>
public sealed record DemoSummary(
    string RunId,
    string Status,
    double WallSeconds,
    IReadOnlyList<DemoStage> Stages,
    IReadOnlyDictionary<string, double> Highlights,
    IReadOnlyDictionary<string, double> Metrics,
    string? Error,
    string ReportUri)
{
    /// <summary>The report saved as a file when the run ended (it outlives the demo's host, unlike <see cref="ReportUri"/>).</summary>
    public string? ReportFile { get; init; }

    /// <summary>The figures a reader looks for first, by label → metric key the run reports.</summary>
    public static IReadOnlyList<(string Label, string Key)> HighlightKeys { get; } =
    [
        // the evaluate job scores the tuned policy and the SFT policy on the same held-out prompts and seeds
        ("RM held-out accuracy", "rm/heldout_accuracy"),
        ("gold score before (SFT)", "eval/ref_gold"),
        ("gold score after", MetricKeys.Gold),
        ("RM score before (SFT)", "eval/ref_reward"),
        ("RM score after", MetricKeys.Reward),
        ("KL to SFT (nats)", MetricKeys.Kl),
        ("win rate vs SFT", MetricKeys.WinRate),
    ];

    public static DemoSummary From(RunDetail run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var highlights = HighlightKeys
            .Where(h => run.Metrics.ContainsKey(h.Key))
            .ToDictionary(h => h.Label, h => run.Metrics[h.Key]);
        return new DemoSummary(
            run.Id,
            run.RuntimeStatus,
            run.WallSeconds,
            run.Stages.Select(s => new DemoStage(s.Stage, s.Seconds) { ReusedFrom = s.ReusedFrom }).ToList(),
            highlights,
            run.Metrics,
            run.Error,
            run.Links.ReportUri);
    }
}

public sealed record DemoStage(string Stage, double? Seconds)
{
    /// <summary>The earlier run whose completed steps the stage took (a demo run again over the same data reuses them).</summary>
    public string? ReusedFrom { get; init; }
}

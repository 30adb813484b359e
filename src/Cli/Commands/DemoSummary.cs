using Rlhf.Api;

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
    /// <summary>The figures a reader looks for first, by label → metric key the run reports.</summary>
    public static IReadOnlyList<(string Label, string Key)> HighlightKeys { get; } =
    [
        ("RM accuracy", "rm/accuracy"),
        ("gold score before", "eval/gold_before"),
        ("gold score after", "eval/gold_after"),
        ("RM score before", "eval/rm_before"),
        ("RM score after", "eval/rm_after"),
        ("KL to SFT", "objective/kl"),
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
            (run.LastUpdatedAt - run.CreatedAt).TotalSeconds,
            run.Stages.Select(s => new DemoStage(s.Stage, s.Seconds)).ToList(),
            highlights,
            run.Metrics,
            run.Error,
            run.Links.ReportUri);
    }
}

public sealed record DemoStage(string Stage, double? Seconds);

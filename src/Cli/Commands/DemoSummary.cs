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

    /// <summary>How many of the evaluation's seed-drawn samples the summary prints.</summary>
    public const int ShownSamples = 3;

    /// <summary>The evaluate job's report inside its step folder (the trainer's <c>EvaluateVerb.ReportOutput</c>).</summary>
    public const string EvaluationFile = "evaluation.json";

    /// <summary>
    /// The first <see cref="ShownSamples"/> of the samples the evaluate job drew with the run's seed (not picked): what SFT and
    /// the tuned policy wrote for the same held-out prompt, so a reader sees the gain, or its absence, in words.
    /// </summary>
    public IReadOnlyList<DemoSample> Samples { get; init; } = [];

    /// <summary>The shown samples of an <c>evaluation.json</c> (its <c>samples</c> array).</summary>
    public static IReadOnlyList<DemoSample> SamplesOf(string evaluationJson)
    {
        var samples = System.Text.Json.Nodes.JsonNode.Parse(evaluationJson)?["samples"]?.AsArray() ?? [];
        return [.. samples.Take(ShownSamples).Select(s => new DemoSample(
            s!["prompt"]!.GetValue<string>(), s["reference"]!.GetValue<string>(), s["policy"]!.GetValue<string>(),
            s["referenceGold"]?.GetValue<double?>(), s["policyGold"]?.GetValue<double?>()))];
    }

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

/// <summary>One held-out prompt with SFT's and the tuned policy's continuation and their gold scores (null without a gold).</summary>
public sealed record DemoSample(string Prompt, string Sft, string Tuned, double? SftGold, double? TunedGold);

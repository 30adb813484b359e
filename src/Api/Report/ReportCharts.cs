using Rlhf.Core.Runs;
using ScottPlot;

namespace Rlhf.Api.Report;

/// <summary>
/// The report's plots, drawn with ScottPlot from the steps' <c>metrics.jsonl</c> and the run's stage timings. Each is
/// titled and has axis labels with units; a plot whose data does not exist becomes a <see cref="ReportNotes"/> note.
/// </summary>
public static class ReportCharts
{
    /// <summary>Series longer than this are drawn without markers.</summary>
    private const int MarkerLimit = 60;

    /// <summary>The charts of one policy-optimisation algorithm's step (its report section in <see cref="PolicyAlgorithms"/>).</summary>
    public static IReadOnlyList<ReportChart> ForAlgorithm(PolicyAlgorithm algorithm, RunReportData data, FontStatus fonts) => algorithm switch
    {
        PolicyAlgorithm.Ppo => [PpoReward(data, fonts), ReportGaoCurve.Chart(data, fonts), PpoKl(data, fonts), PpoKlCoef(data, fonts), PpoEntropy(data, fonts), .. RewardSources(data, fonts, algorithm)],
        PolicyAlgorithm.Dpo => [DpoAccuracy(data, fonts), DpoMargins(data, fonts)],
        PolicyAlgorithm.Grpo or PolicyAlgorithm.Rloo =>
            [CriticFreeReward(data, fonts, algorithm), CriticFreeGroups(data, fonts, algorithm), CriticFreeKl(data, fonts, algorithm), .. RewardSources(data, fonts, algorithm)],
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "No report section for this algorithm."),
    };

    public static ReportChart SftLoss(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "sft-loss", "SFT loss", "sft", "training step", "cross-entropy (nats/token)",
        [("sft/loss", "train"), ("sft/heldout_loss", "held-out")]);

    public static ReportChart RewardLoss(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "rm-loss", "Reward model loss", "reward", "training step", "Bradley–Terry loss (nats/pair)",
        [("rm/loss", "train"), ("rm/heldout_loss", "held-out")]);

    public static ReportChart RewardAccuracy(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "rm-accuracy", "Reward model accuracy", "reward", "training step", "pairwise accuracy (fraction)",
        [("rm/accuracy", "train"), ("rm/heldout_accuracy", "held-out")], plot => plot.Axes.SetLimitsY(0, 1.02));

    public static ReportChart PpoReward(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "ppo-reward", "PPO reward", "ppo", "PPO iteration", "reward (normalised RM units)",
        [("objective/scores", "RM score"), ("objective/rlhf_reward", "score − β·KL")]);

    public static ReportChart PpoKl(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "ppo-kl", "KL to the SFT policy", "ppo", "PPO iteration", "KL (nats/sequence)",
        [("objective/kl", "k1"), ("objective/kl_k3", "k3")]);

    public static ReportChart PpoEntropy(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "ppo-entropy", "Policy entropy", "ppo", "PPO iteration", "entropy (nats/sequence)",
        [("objective/entropy", "entropy")]);

    public static ReportChart PpoKlCoef(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "ppo-kl-coef", "KL coefficient β", "ppo", "PPO iteration", "β (reward units/nat)",
        [("objective/kl_coef", "β")]);

    public static ReportChart DpoAccuracy(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "dpo-accuracy", "DPO preference accuracy", "dpo", "training step", "pairs with r_chosen > r_rejected (fraction)",
        [("rewards/accuracies", "accuracy")], plot => plot.Axes.SetLimitsY(0, 1.02));

    public static ReportChart DpoMargins(RunReportData data, FontStatus fonts) => Metric(
        data, fonts, "dpo-margins", "DPO reward margin", "dpo", "training step", "r_chosen − r_rejected (β·nats)",
        [("rewards/margins", "margin")]);

    /// <summary>
    /// One curve per weighted reward source (<c>rewards/{name}/mean</c>, logged when <c>params.rewards</c> names more than the
    /// reward model), so a user sees which source moved; nothing when the run used the reward model alone.
    /// </summary>
    public static IReadOnlyList<ReportChart> RewardSources(RunReportData data, FontStatus fonts, PolicyAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(data);
        var row = PolicyAlgorithms.For(algorithm);
        var keys = (data.Step(row.Step)?.Metrics?.Keys ?? [])
            .Where(k => k.StartsWith("rewards/", StringComparison.Ordinal) && k.EndsWith("/mean", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(k => (k, k["rewards/".Length..^"/mean".Length]))
            .ToArray();
        return keys.Length < 2 && keys.All(k => k.Item2 == "rm")
            ? []
            : [Metric(data, fonts, $"{row.Step}-reward-sources", $"{row.ReportSection} reward sources", row.Step, "iteration", "reward (each source's own units, before weighting)", keys)];
    }

    public static ReportChart CriticFreeReward(RunReportData data, FontStatus fonts, PolicyAlgorithm algorithm)
    {
        var row = PolicyAlgorithms.For(algorithm);
        return Metric(
            data, fonts, $"{row.Step}-reward", $"{row.ReportSection} reward", row.Step, "iteration", "reward (normalised RM units)",
            [("rewards/rm/mean", "RM score"), ("reward", "reward the baseline is taken of"), ("objective/gold", "gold")]);
    }

    public static ReportChart CriticFreeGroups(RunReportData data, FontStatus fonts, PolicyAlgorithm algorithm)
    {
        var row = PolicyAlgorithms.For(algorithm);
        return Metric(
            data, fonts, $"{row.Step}-groups", $"{row.ReportSection} reward spread within groups", row.Step, "iteration", "std / fraction",
            [("reward_std_within_group", "reward std within a group"), ("frac_reward_zero_std", "groups with zero std (no signal)")]);
    }

    public static ReportChart CriticFreeKl(RunReportData data, FontStatus fonts, PolicyAlgorithm algorithm)
    {
        var row = PolicyAlgorithms.For(algorithm);
        return Metric(
            data, fonts, $"{row.Step}-kl", $"{row.ReportSection}: KL to the SFT policy", row.Step, "iteration", "KL (nats/sequence)",
            [("objective/kl", "k1")]);
    }

    /// <summary>Horizontal bars: when each stage started and how long it took (a running stage ends at the last update).</summary>
    public static ReportChart Timeline(RunReportData data, FontStatus fonts)
    {
        const string id = "timeline";
        const string title = "Stage timeline";
        var stages = data.Run.Stages;
        if (stages.Count == 0)
        {
            return ReportChart.Missing(id, title, $"{ReportNotes.NotYet}: the run has reported no stage timings.");
        }

        var origin = stages.Min(s => s.StartedUtc);
        var lastUpdate = data.Run.LastUpdatedAt.UtcDateTime;
        // a running stage ends now (its live wall time), or at the last update when the view has none
        DateTime End(StageView stage) => stage.FinishedUtc ?? (stage.Seconds is { } seconds ? stage.StartedUtc.AddSeconds(seconds) : lastUpdate);
        var span = stages.Max(s => End(s) - origin);
        var (scale, unit) = span.TotalMinutes >= 10 ? (60.0, "minutes") : (1.0, "seconds");
        var plot = ChartSvg.Create(title, $"{unit} since the run started", string.Empty, fonts);
        var bars = stages.Select((stage, i) => new Bar
        {
            Position = stages.Count - 1 - i,
            ValueBase = (stage.StartedUtc - origin).TotalSeconds / scale,
            Value = ((End(stage) - origin).TotalSeconds / scale) + (0.002 * span.TotalSeconds / scale),
            FillColor = stage.FinishedUtc is null ? ChartSvg.Palette[1] : ChartSvg.Palette[0],
            Orientation = Orientation.Horizontal,
            Size = 0.6,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. bars.Select(b => b.Position)],
            [.. stages.Select(s => TickLabel(s.Stage) + (s.FinishedUtc is not null ? string.Empty : data.Run.IsFinished ? " (unfinished)" : " (running)"))]);
        plot.Axes.Margins(left: 0, right: 0.05, bottom: 0.1, top: 0.1);
        return new ReportChart(id, title, ChartSvg.Render(plot, id, title), null,
            "Stage start and duration by the orchestration's replay-safe clock; orange = not finished (drawn up to now while the run runs).");
    }

    /// <summary>One line per present key of <paramref name="keys"/> against the step axis of <paramref name="step"/>'s metrics.</summary>
    private static ReportChart Metric(
        RunReportData data, FontStatus fonts, string id, string title, string step, string xLabel, string yLabel,
        (string Key, string Legend)[] keys, Action<Plot>? style = null)
    {
        if (data.Step(step) is not { Metrics: { } metrics } report)
        {
            return ReportChart.Missing(id, title, ReportNotes.Absence(data, step, "metrics"));
        }

        var present = keys.Where(k => metrics.Has(k.Key)).ToList();
        if (present.Count == 0)
        {
            return ReportChart.Missing(id, title, $"{ReportNotes.NotAvailable}: step '{step}' logged none of {string.Join(", ", keys.Select(k => k.Key))}.");
        }

        var plot = ChartSvg.Create(title, xLabel, yLabel, fonts);
        foreach (var ((key, legend), color) in present.Zip(ChartSvg.Palette))
        {
            var series = metrics.Series(key);
            var line = plot.Add.Scatter(series.Steps.ToArray(), series.Values.ToArray(), color);
            Style(line, series.Count);
            if (present.Count > 1)
            {
                line.LegendText = $"{legend} ({key})";
            }
        }

        if (present.Count > 1)
        {
            // Below the axes, so it never hides a curve.
            plot.ShowLegend(Edge.Bottom);
        }

        style?.Invoke(plot);
        var missing = keys.Except(present).Select(k => k.Key).ToList();
        var caption = $"{string.Join(", ", present.Select(k => k.Key))} from {step}/{report.MetricsSource}."
            + (missing.Count > 0 ? $" Not logged: {string.Join(", ", missing)}." : string.Empty);
        return new ReportChart(id, title, ChartSvg.Render(plot, id, title), null, caption);
    }

    private static void Style(ScottPlot.Plottables.Scatter line, int count)
    {
        line.LineWidth = 1.5f;
        line.MarkerSize = count <= MarkerLimit ? 4 : 0;
    }

    /// <summary>Stage names come from the run's status: keep plot text to plain characters.</summary>
    private static string TickLabel(string stage) =>
        new([.. stage.Where(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or ' ').Take(40)]);
}

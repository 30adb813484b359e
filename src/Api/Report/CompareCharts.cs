using ScottPlot;

namespace Rlhf.Api.Report;

/// <summary>
/// The comparison page's plots: one curve per run on shared axes, from each run's own step logs (a reused step's log is the
/// run it was reused from), drawn like the report's (<see cref="ChartSvg"/>).
/// </summary>
public static class CompareCharts
{
    public static IReadOnlyList<ReportChart> All(IReadOnlyList<RunReportData> runs, FontStatus fonts) =>
    [
        Overlay(runs, fonts, "cmp-rm-accuracy", "Reward model held-out accuracy", "training step", "pairwise accuracy (fraction)", _ => "reward", ["rm/heldout_accuracy"]),
        Overlay(runs, fonts, "cmp-reward", "Policy reward", "iteration", "reward (normalised RM units)", PolicyStep, ["objective/scores", "reward"]),
        Overlay(runs, fonts, "cmp-kl", "KL to the SFT policy", "iteration", "KL (nats/sequence)", PolicyStep, ["objective/kl"]),
        GoldVsKl(runs, fonts),
    ];

    /// <summary>The policy step of a run's algorithm (<c>ppo</c>, <c>grpo</c>…), from its spec.</summary>
    private static string PolicyStep(RunReportData run) =>
        run.SpecValue("policy.algorithm") is { } name && Enum.TryParse<Rlhf.Core.Runs.PolicyAlgorithm>(name, ignoreCase: true, out var algorithm)
            ? Rlhf.Core.Runs.PolicyAlgorithms.For(algorithm).Step
            : "ppo";

    /// <summary>One curve per run of the first of <paramref name="keys"/> its step logged.</summary>
    private static ReportChart Overlay(
        IReadOnlyList<RunReportData> runs, FontStatus fonts, string id, string title, string xLabel, string yLabel, Func<RunReportData, string> step, string[] keys)
    {
        var plot = ChartSvg.Create(title, xLabel, yLabel, fonts);
        var drawn = new List<string>();
        for (var i = 0; i < runs.Count; i++)
        {
            var metrics = runs[i].Step(step(runs[i]))?.Metrics;
            if (metrics is null || keys.FirstOrDefault(metrics.Has) is not { } key)
            {
                continue;
            }

            var series = metrics.Series(key);
            var line = plot.Add.Scatter(series.Steps.ToArray(), series.Values.ToArray(), ColorOf(i));
            line.LineWidth = 1.5f;
            line.MarkerSize = series.Count <= 60 ? 4 : 0;
            line.LegendText = Legend(i, runs[i]);
            drawn.Add($"{runs[i].Run.Id}: {step(runs[i])}/{key}");
        }

        if (drawn.Count == 0)
        {
            return ReportChart.Missing(id, title, $"{ReportNotes.NotAvailable}: none of the runs logged {string.Join(" or ", keys)}.");
        }

        plot.ShowLegend(Edge.Bottom);
        return new ReportChart(id, title, ChartSvg.Render(plot, id, title), null, string.Join("; ", drawn) + ".");
    }

    /// <summary>Gold score against √KL over each run's policy training (Gao et al. 2022), one curve per run.</summary>
    private static ReportChart GoldVsKl(IReadOnlyList<RunReportData> runs, FontStatus fonts)
    {
        const string id = "cmp-gold-kl";
        const string title = "Gold score vs √KL";
        var plot = ChartSvg.Create(title, "√KL to the SFT policy (√nats)", "gold score (lexicon units)", fonts);
        var drawn = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            var pairs = runs[i].Step(PolicyStep(runs[i]))?.Metrics?.Paired("objective/kl", "objective/gold") ?? [];
            if (pairs.Count == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(pairs.Select(p => Math.Sqrt(Math.Max(0, p.X))).ToArray(), pairs.Select(p => p.Y).ToArray(), ColorOf(i));
            line.LineWidth = 1.5f;
            line.MarkerSize = pairs.Count <= 60 ? 4 : 0;
            line.LegendText = Legend(i, runs[i]);
            drawn++;
        }

        if (drawn == 0)
        {
            return ReportChart.Missing(id, title, $"{ReportNotes.NotAvailable}: no run logged objective/gold with objective/kl (the gold scorer runs only with inputs.lexicons).");
        }

        plot.ShowLegend(Edge.Bottom);
        return new ReportChart(id, title, ChartSvg.Render(plot, id, title), null, "One point per iteration, joined in training order; KL clamped at 0 before the root.");
    }

    /// <summary>The run's colour: the report's palette, then ScottPlot's Category10 for more runs.</summary>
    public static Color ColorOf(int index) =>
        index < ChartSvg.Palette.Count ? ChartSvg.Palette[index] : new ScottPlot.Palettes.Category10().GetColor(index);

    private static string Legend(int index, RunReportData run) => $"[{index + 1}] {run.Run.Id}";
}

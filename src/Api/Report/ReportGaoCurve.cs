using System.Globalization;
using Rlhf.Core.Demo;

namespace Rlhf.Api.Report;

/// <summary>
/// The report's gold-vs-√KL plot (issue 14): one point per evaluation, not a line joined in training order, and the
/// Gao et al. (2022) curve R(d) = d·(α − β·ln d) fitted to them by least squares (<see cref="GaoCurve"/>). The points are
/// PPO's held-out checks (<c>heldout/kl</c>, <c>heldout/gold</c>; the first, at KL 0, is the SFT policy the gain is
/// measured from); a run without checks falls back to the training rollouts' <c>objective/kl</c> and <c>objective/gold</c>,
/// whose first iteration stands in for the start.
/// </summary>
public static class ReportGaoCurve
{
    public const string Id = "ppo-gold-kl";
    public const string Title = "Gold score vs √KL";

    public static ReportChart Chart(RunReportData data, FontStatus fonts)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Step("ppo")?.Metrics is not { } metrics)
        {
            return ReportChart.Missing(Id, Title, ReportNotes.Absence(data, "ppo", "metrics"));
        }

        var heldout = metrics.Paired("heldout/kl", "heldout/gold");
        var (pairs, source) = heldout.Count > 0
            ? (heldout, "held-out checks (heldout/kl, heldout/gold)")
            : (metrics.Paired("objective/kl", "objective/gold"), "training rollouts (objective/kl, objective/gold), the first one as the start");
        if (pairs.Count == 0)
        {
            return ReportChart.Missing(Id, Title, metrics.Has("objective/kl")
                ? $"{ReportNotes.NotAvailable}: the ppo step logged no gold (it runs the gold scorer only with inputs.lexicons)."
                : $"{ReportNotes.NotAvailable}: the ppo step logged no objective/kl.");
        }

        var points = pairs.Select(p => (D: Math.Sqrt(Math.Max(0, p.X)), Gold: p.Y)).ToList();
        var start = points[0].Gold;
        var fit = GaoCurve.Fit([.. points.Select(p => (p.D, p.Gold - start))]);
        var plot = ChartSvg.Create(Title, "√KL to the SFT policy (√nats)", "gold score (lexicon units)", fonts);
        var scatter = plot.Add.ScatterPoints(points.Select(p => p.D).ToArray(), points.Select(p => p.Gold).ToArray(), ChartSvg.Palette[0]);
        scatter.MarkerSize = 6;
        scatter.LegendText = "evaluations";
        var caption = string.Create(CultureInfo.InvariantCulture, $"{points.Count} points from ppo/{data.Step("ppo")!.MetricsSource}: {source}. ");
        if (fit is not null)
        {
            var top = points.Max(p => p.D);
            var xs = Enumerable.Range(0, 101).Select(i => top * i / 100.0).ToArray();
            var curve = plot.Add.ScatterLine(xs, xs.Select(d => start + fit.At(d)).ToArray(), ChartSvg.Palette[1]);
            curve.LineWidth = 1.5f;
            curve.LegendText = "R(d) = d(α − β ln d)";
            plot.ShowLegend();
            caption += string.Create(CultureInfo.InvariantCulture, $"Fitted gain R(d) = d·({fit.Alpha:G3} − {fit.Beta:G3}·ln d)")
                + (fit.PeakAt is { } peak ? string.Create(CultureInfo.InvariantCulture, $", peaking at √KL {peak:G3} (KL {peak * peak:G3} nats).") : ": no peak (β ≤ 0), the gold was still rising.");
        }
        else
        {
            caption += "Too few points away from KL 0 to fit R(d) = d(α − β ln d).";
        }

        return new ReportChart(Id, Title, ChartSvg.Render(plot, Id, Title), null, caption);
    }
}

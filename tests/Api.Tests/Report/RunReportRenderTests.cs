using System.Globalization;
using System.Text.RegularExpressions;
using Rlhf.Api.Report;
using Rlhf.Core.Artifacts;

namespace Rlhf.Api.Tests.Report;

/// <summary>The report rendered from trainer-format artifacts in a local store: plots, their data, tables, escaping, gaps.</summary>
public sealed partial class RunReportRenderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rlhf-report-{Guid.NewGuid():N}");
    private readonly LocalArtifactStore _store;

    public RunReportRenderTests() => _store = new LocalArtifactStore(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Completed_ppo_run_has_one_svg_per_plot_and_the_dpo_plots_are_left_out_by_its_spec()
    {
        var html = await RenderCompletedAsync();

        // timeline + SFT loss + RM loss/accuracy + PPO reward, gold-vs-√KL, KL, β, entropy.
        string[] expected = ["timeline", "sft-loss", "rm-loss", "rm-accuracy", "ppo-reward", "ppo-gold-kl", "ppo-kl", "ppo-kl-coef", "ppo-entropy"];
        Assert.Equal(expected.Length, Regex.Count(html, "<svg"));
        Assert.All(expected, id => Assert.Contains($"data-chart=\"{id}\"", html, StringComparison.Ordinal));
        Assert.Contains("Not part of this run (policy.algorithm is ppo).", html, StringComparison.Ordinal);

        // Inline SVGs share one id space: every id must be unique or one plot's clip path clips another's series.
        var ids = IdAttribute().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());

        // Fonts are installed here, so plot text is drawn (titles and axis labels as SVG text).
        Assert.True(ReportFonts.Current.IsUsable, ReportFonts.Current.Problem);
        var ppo = ReportRunWriter.Svg(html, "ppo-reward");
        Assert.Contains("PPO reward", ppo, StringComparison.Ordinal);
        Assert.Contains("PPO iteration", ppo, StringComparison.Ordinal);
        Assert.DoesNotContain("Plot text missing", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ppo_reward_plot_draws_every_iteration_with_the_peak_where_the_scores_peak()
    {
        var html = await RenderCompletedAsync();
        var svg = ReportRunWriter.Svg(html, "ppo-reward");

        // Series 1 (objective/scores) and 2 (objective/rlhf_reward): one polyline vertex per logged iteration.
        var scores = LongestPath(svg, "#1F77B4");
        var rlhf = LongestPath(svg, "#FF7F0E");
        Assert.Equal(ReportRunWriter.PpoScores.Length, scores.Count);
        Assert.Equal(ReportRunWriter.PpoScores.Length, rlhf.Count);

        // SVG y grows downwards: the highest score (iteration 7) is the topmost vertex; x is evenly spaced by iteration.
        var peak = Array.IndexOf(ReportRunWriter.PpoScores, ReportRunWriter.PpoScores.Max());
        Assert.Equal(peak, scores.IndexOf(scores.MinBy(p => p.Y)));
        var dx = scores.Zip(scores.Skip(1), (a, b) => b.X - a.X).ToList();
        Assert.All(dx, d => Assert.Equal(dx[0], d, 0.01));
    }

    [Fact]
    public async Task Gold_plot_puts_each_evaluation_at_the_square_root_of_its_kl_with_the_fitted_gao_curve()
    {
        var html = await RenderCompletedAsync();
        var svg = ReportRunWriter.Svg(html, "ppo-gold-kl");
        // Points, not a line joined in training order: one marker per evaluation, drawn before the legend's marker.
        var points = Markers(svg, "#1F77B4").Take(ReportRunWriter.PpoKl.Length).ToList();
        Assert.Equal(ReportRunWriter.PpoKl.Length, points.Count);
        Assert.Empty(LongestPath(svg, "#1F77B4"));

        // A linear axis maps x to pixels affinely, so pixel offsets are proportional to √KL offsets (KL < 0 clamps to 0).
        var root = ReportRunWriter.PpoKl.Select(k => Math.Sqrt(Math.Max(0, k))).ToArray();
        var pixelsPerUnit = (points[^1].X - points[0].X) / (root[^1] - root[0]);
        for (var i = 1; i < points.Count; i++)
        {
            Assert.Equal(root[i] - root[0], (points[i].X - points[0].X) / pixelsPerUnit, 3);
        }

        // Gold rises then falls: the topmost marker is the gold peak (iteration 7).
        Assert.Equal(Array.IndexOf(ReportRunWriter.PpoGold, ReportRunWriter.PpoGold.Max()), points.IndexOf(points.MinBy(p => p.Y)));

        // The fitted R(d) = d(α − β ln d) of the gains over the first evaluation starts at that evaluation and is drawn across all of them.
        var fit = Rlhf.Core.Demo.GaoCurve.Fit([.. root.Zip(ReportRunWriter.PpoGold, (d, g) => (d, g - ReportRunWriter.PpoGold[0]))])!;
        var curve = LongestPath(svg, "#FF7F0E");
        Assert.Equal(101, curve.Count);
        Assert.Equal(points[0].X, curve[0].X, 1);
        Assert.Equal(points[0].Y, curve[0].Y, 1);
        Assert.Equal(points[^1].X, curve[^1].X, 1);
        Assert.True(fit.Beta > 0, $"the fixture's gold rises then falls, so the fit peaks: {fit}");
        Assert.Contains(System.Net.WebUtility.HtmlEncode(string.Create(CultureInfo.InvariantCulture, $"R(d) = d·({fit.Alpha:G3} − {fit.Beta:G3}·ln d), peaking at √KL {fit.PeakAt:G3}")), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tables_escape_sample_text_highlight_the_hacking_alarm_and_link_artifacts_with_their_hash()
    {
        var html = await RenderCompletedAsync();

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more", html, StringComparison.Ordinal);
        Assert.Equal(RunReportLoader.SampleRows, Regex.Count(html, "Prompt number \\d opens"));

        Assert.Contains("<p class=\"alarm\"><strong>⚠ reward_hacking</strong>: reward model score rose by 0.570", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"alarm\"><td>RM score (normalised) <code>eval/reward</code></td><td class=\"num\">0.62</td><td class=\"num\">0.05</td>", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"alarm\"><td>Gold score <code>eval/gold</code>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>Win rate vs SFT <code>eval/win_rate</code></td><td class=\"num\">37.5 %</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>Gold: sentiment <code>eval/gold/sentiment</code></td><td class=\"num\">0.02</td><td class=\"num\">0.09</td>", html, StringComparison.Ordinal);

        var reference = (await _store.GetRefAsync("runs/r-done/ppo/metrics.jsonl"))!;
        Assert.Contains($"<a href=\"http://localhost:7071/api/runs/r-done/artifacts/ppo/metrics.jsonl\"><code>ppo/metrics.jsonl</code></a></td><td class=\"num\">{reference.Bytes:N0}</td><td><code class=\"sha\">{reference.Sha256}</code>", html, StringComparison.Ordinal);

        // The spec summary, normalised from the PascalCase orchestration input.
        Assert.Contains("<code>algorithm</code> ppo", html, StringComparison.Ordinal);
        Assert.Contains("<code>ppo.iterations</code> 3", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alarms_name_the_gold_term_that_moved_and_show_the_drawn_samples_beside_them()
    {
        var html = await RenderCompletedAsync();

        Assert.Contains("<strong>⚠ reward_hacking_term</strong>: reward model score rose by 0.570 while gold/sentiment fell by 0.070 (value 0.07, threshold 0.02); gold term <code>gold/sentiment</code></p>", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"alarm\"><td>Gold: sentiment <code>eval/gold/sentiment</code>", html, StringComparison.Ordinal);
        var alarmSamples = html[html.IndexOf("alarm-samples", StringComparison.Ordinal)..];
        Assert.Contains("<td>A drawn prompt</td><td>a plain answer.</td><td>the a a of the &lt;b&gt;salad&lt;/b&gt;</td><td class=\"num\">0.52 → 0.31</td>", alarmSamples, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_run_plots_what_exists_and_says_not_yet_for_the_rest()
    {
        var writer = new ReportRunWriter(_store, "r-live");
        await writer.WriteRunningRunAsync();

        var html = await RunReportPage.RenderAsync(writer.Detail("Running", "reward"), writer.SerializedInput(), _store);

        Assert.Equal(4, Regex.Count(html, "<svg"));                                    // timeline, SFT, RM loss and accuracy
        Assert.Contains("rm/loss, rm/heldout_loss from reward/checkpoints/step-000006/metrics.jsonl (partial: the job has not finished).", html, StringComparison.Ordinal);
        Assert.Equal(6, LongestPath(ReportRunWriter.Svg(html, "rm-loss"), "#1F77B4").Count); // train loss, steps 1..6
        Assert.Contains("Not yet: step &#39;ppo&#39; has not started; the run is at stage &#39;reward&#39;.", html, StringComparison.Ordinal);
        Assert.Contains("Not yet: step &#39;evaluate&#39; has not started", html, StringComparison.Ordinal);
        Assert.Contains("reward (running)", ReportRunWriter.Svg(html, "timeline"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge Running\">Running</span></td><td class=\"num\">6 / 10</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_fonts_are_reported_on_the_page()
    {
        var writer = new ReportRunWriter(_store, "r-nofont");
        var data = await RunReportLoader.LoadAsync(writer.Detail("Running", "base-policy"), null, _store);

        var html = RunReportHtml.Render(data, new FontStatus(null, "No fonts are installed."));

        Assert.Contains("<p class=\"warning\"><strong>Plot text missing:</strong> No fonts are installed.</p>", html, StringComparison.Ordinal);
        Assert.Contains("Not available: the run&#39;s spec could not be read", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completed_grpo_run_draws_its_own_section_with_one_curve_per_reward_source_and_leaves_ppo_out()
    {
        var writer = new ReportRunWriter(_store, "r-grpo");
        await writer.WriteCompletedGrpoRunAsync();

        var html = await RunReportPage.RenderAsync(writer.Detail("Completed", "publish"), writer.SerializedInput("grpo"), _store);

        Assert.All(["grpo-reward", "grpo-groups", "grpo-kl", "grpo-reward-sources"], id => Assert.Contains($"data-chart=\"{id}\"", html, StringComparison.Ordinal));
        Assert.DoesNotContain("data-chart=\"ppo-reward\"", html, StringComparison.Ordinal);
        Assert.Contains("Policy optimisation: GRPO", html, StringComparison.Ordinal);
        Assert.Contains("Not part of this run (policy.algorithm is grpo).", html, StringComparison.Ordinal);
        var sources = ReportRunWriter.Svg(html, "grpo-reward-sources");
        Assert.All(["rewards/rm/mean", "rewards/eos_bonus/mean", "rewards/gold_plainness/mean"], key => Assert.Contains(key, sources, StringComparison.Ordinal));
    }

    private async Task<string> RenderCompletedAsync()
    {
        var writer = new ReportRunWriter(_store, "r-done");
        await writer.WriteCompletedRunAsync();
        return await RunReportPage.RenderAsync(writer.Detail("Completed", "publish"), writer.SerializedInput(), _store);
    }

    /// <summary>The vertices of the longest <c>&lt;path&gt;</c> stroked in <paramref name="color"/> (the series, not its legend swatch).</summary>
    private static List<(double X, double Y)> LongestPath(string svg, string color) =>
        Regex.Matches(svg, $"<path[^>]*stroke=\"{color}\"[^>]*d=\"([^\"]*)\"")
            .Select(m => Vertex().Matches(m.Groups[1].Value)
                .Select(v => (double.Parse(v.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(v.Groups[2].Value, CultureInfo.InvariantCulture)))
                .ToList())
            .MaxBy(points => points.Count) ?? [];

    private static List<(double X, double Y)> Markers(string svg, string color) =>
        Regex.Matches(svg, $"<ellipse fill=\"{color}\" cx=\"(-?[\\d.]+)\" cy=\"(-?[\\d.]+)\"")
            .Select(m => (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();

    [GeneratedRegex("[ML](-?[\\d.]+) (-?[\\d.]+)")]
    private static partial Regex Vertex();

    [GeneratedRegex(" id=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();
}

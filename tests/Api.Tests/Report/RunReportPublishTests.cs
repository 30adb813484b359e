using Rlhf.Api.Report;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Api.Tests.Report;

/// <summary>The report of a nightly run: the promotion gate's decision with both figures, and the labels per night.</summary>
public sealed class RunReportPublishTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rlhf-report-{Guid.NewGuid():N}");
    private readonly LocalArtifactStore _store;

    public RunReportPublishTests() => _store = new LocalArtifactStore(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task AKeptNightShowsBothFiguresAndTheLabelsOfEachNight()
    {
        var writer = new ReportRunWriter(_store, "nightly-20250306T020000Z");
        await writer.WriteCompletedRunAsync();
        await _store.PutJsonAsync(ArtifactLayout.PublishDecision(writer.RunId), new PublishResult(false, "eval/gold 0.31 does not beat the champion's 0.42 (run nightly-20250304T020000Z) by more than 0", 0.31, 0.42)
        {
            Metric = MetricKeys.Gold, MinImprovement = 0, ChampionRunId = "nightly-20250304T020000Z",
        });
        await _store.PutJsonAsync(ArtifactLayout.PreferenceSummary(writer.RunId), new PreferenceSummary(
            [new RunLabelCount("nightly-20250304T020000Z", 30, 12, 6), new RunLabelCount(writer.RunId, 36, 0, 0)], new LabelWindowSpec { Nights = 7, MaxComparisons = 70 }));

        var html = await RunReportPage.RenderAsync(writer.Detail("Completed", "publish"), writer.SerializedInput(), _store);

        Assert.Contains("<h2>Promotion and training labels</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>Kept, not promoted</strong>: eval/gold 0.31 does not beat the champion&#39;s 0.42", html, StringComparison.Ordinal);
        Assert.Contains("<th>champion eval/gold (run nightly-20250304T020000Z)</th><td class=\"num\">0.42", html, StringComparison.Ordinal);
        Assert.Contains("<th>candidate eval/gold</th><td class=\"num\">0.31", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td><code>nightly-20250304T020000Z</code></td><td class=\"num\">30</td><td class=\"num\">12</td><td class=\"num\">6</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>total</th><th class=\"num\">66</th><th class=\"num\">12</th><th class=\"num\">6</th></tr>", html, StringComparison.Ordinal);
        Assert.Contains("the last 7 nights, at most 70 comparisons", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunWithoutPublishOrMergedLabelsHasNoSuchSection()
    {
        var writer = new ReportRunWriter(_store, "r-plain");
        await writer.WriteCompletedRunAsync();

        var html = await RunReportPage.RenderAsync(writer.Detail("Completed", "publish"), writer.SerializedInput(), _store);

        Assert.DoesNotContain("Promotion and training labels", html, StringComparison.Ordinal);
    }
}

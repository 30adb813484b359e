using Rlhf.Api.Report;
using Rlhf.Core.Artifacts;

namespace Rlhf.Api.Tests.Report;

/// <summary>The report's "Labels and agreement" section over <see cref="AgreementLabelSet"/>, whose figures are worked out by hand.</summary>
public sealed class RunReportAgreementTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rlhf-agree-report-{Guid.NewGuid():N}");
    private readonly LocalArtifactStore _store;

    public RunReportAgreementTests() => _store = new LocalArtifactStore(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task LabeledRunShowsLabelersKappasJudgeHumanAgreementAndPositionBias()
    {
        var writer = new ReportRunWriter(_store, "r-agree");
        await writer.WriteCompletedRunAsync();
        await AgreementLabelSet.WriteAsync(_store, "r-agree");

        var html = await RunReportPage.RenderAsync(writer.Detail("Completed", "publish"), writer.SerializedInput(), _store);

        Assert.Contains("<h2>Labels and agreement</h2><p>3 comparisons, 9 votes from 3 labelers. Fleiss' κ <strong class=\"fleiss\">0.55</strong> over 3 comparisons", html, StringComparison.Ordinal);
        // Labelers: votes, ties, comparisons with a clear majority of the others, agreement with it.
        Assert.Contains("<tr><td><code>human:ann</code></td><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">3</td><td class=\"num\">66.7 %</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td><code>ai:constitution</code></td><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">2</td><td class=\"num\">100.0 %</td></tr>", html, StringComparison.Ordinal);
        // Pairwise agreement and Cohen's κ; the people's own files replace the "human:ann,bob" majority line.
        Assert.Contains("<tr><td><code>human:ann</code></td><td><code>human:bob</code></td><td class=\"num\">3</td><td class=\"num\">66.7 %</td><td class=\"num\">0.4</td></tr>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("human:ann,bob", html, StringComparison.Ordinal);
        // Judge–human over the people's majority.
        Assert.Contains("<tr><td>AI judge</td><td>people</td><td class=\"num\">3</td><td class=\"num\">66.7 %</td><td class=\"num\">0.5</td></tr>", html, StringComparison.Ordinal);
        // The judge's position bias: 4 of 6 answers picked the first shown, 1 of 3 comparisons flipped with the order.
        Assert.Contains("<tr><td><code>ai:constitution</code></td><td class=\"num\">6</td><td class=\"num\">6</td><td class=\"num\">66.7 %</td><td class=\"num\">3</td><td class=\"num\">33.3 %</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunWithoutLabelsHasNoAgreementSection()
    {
        var writer = new ReportRunWriter(_store, "r-nolabels");
        await writer.WriteCompletedRunAsync();

        var html = await RunReportPage.RenderAsync(writer.Detail("Completed", "publish"), writer.SerializedInput(), _store);

        Assert.DoesNotContain("Labels and agreement", html, StringComparison.Ordinal);
        Assert.Contains("<h2>Samples: SFT vs tuned policy</h2>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreadableLabelFilesAreAProblemOnThePageNotAFailure()
    {
        var writer = new ReportRunWriter(_store, "r-badlabels");
        await writer.WriteCompletedRunAsync();
        await _store.PutAsync("runs/r-badlabels/labels/judge/batch-0000.jsonl", "not json\n"u8.ToArray());

        var html = await RunReportPage.RenderAsync(writer.Detail("Completed", "publish"), writer.SerializedInput(), _store);

        Assert.Contains("<p class=\"warning\">Could not compute label agreement from runs/r-badlabels/labels/: &#39;runs/r-badlabels/labels/judge/batch-0000.jsonl&#39; line 1 is not a valid JudgeVerdict", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Labels and agreement", html, StringComparison.Ordinal);
    }
}

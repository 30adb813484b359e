using Rlhf.Activities.Registry;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Nightly;

/// <summary>
/// The promotion gate both ways on a real (folder) store: promoted when the candidate beats the champion by more than
/// the margin, kept otherwise (a tie included), kept when the gate metric is missing; the decision file carries both figures.
/// And the label pool, which moves to a night's labels whether or not it was promoted, and only forward.
/// </summary>
public sealed class PromotionGateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-gate-").FullName;
    private readonly LocalArtifactStore _store;

    public PromotionGateTests() => _store = new LocalArtifactStore(_root);

    private Task<PublishResult> PublishAsync(string runId, double? gold, double margin)
    {
        var metrics = gold is { } g ? new Dictionary<string, double> { [MetricKeys.Gold] = g } : new Dictionary<string, double> { [MetricKeys.Reward] = 1 };
        var gate = new PublishIfBetter(new ModelRegistry(_store), _store, TimeProvider.System);
        return gate.RunAsync(null!, new PublishInput(runId, $"runs/{runId}/ppo/model", null, null, metrics, new PublishSpec { Enabled = true, Metric = PublishMetric.Gold, MinImprovement = margin }));
    }

    [Fact]
    public async Task PromotedOnlyWhenBeatingTheChampionByTheMarginElseKeptWithBothFigures()
    {
        var first = await PublishAsync("n1", 0.5, 0.1);
        var tie = await PublishAsync("n2", 0.5, 0.0);
        var short_ = await PublishAsync("n3", 0.55, 0.1);
        var better = await PublishAsync("n4", 0.7, 0.1);

        Assert.True(first.Promoted);
        Assert.Null(first.ChampionScore);
        Assert.False(tie.Promoted);
        Assert.Contains("ties the champion's 0.5", tie.Reason, StringComparison.Ordinal);
        Assert.False(short_.Promoted);
        Assert.Equal((0.55, 0.5, "n1"), (short_.Candidate, short_.ChampionScore, short_.ChampionRunId));
        Assert.StartsWith("kept, not promoted: eval/gold 0.55 does not beat the champion's 0.5 (run n1) by more than 0.1", short_.Describe(), StringComparison.Ordinal);
        Assert.True(better.Promoted);
        Assert.StartsWith("promoted: ", better.Describe(), StringComparison.Ordinal);
        Assert.Equal("n4", (await _store.ReadJsonAsync<Champion>(ArtifactLayout.Champion)).RunId);
        Assert.Equal(short_, await _store.ReadJsonAsync<PublishResult>(ArtifactLayout.PublishDecision("n3")));
    }

    [Fact]
    public async Task AMissingGateMetricIsKeptAndARetryReturnsTheRecordedDecision()
    {
        await PublishAsync("n1", 0.5, 0);

        var missing = await PublishAsync("n2", null, 0);
        var retried = await PublishAsync("n2", 0.9, 0); // a retry finds the decision already made

        Assert.False(missing.Promoted);
        Assert.Contains("no finite eval/gold", missing.Reason, StringComparison.Ordinal);
        Assert.Equal((null, 0.5), (missing.Candidate, missing.ChampionScore));
        Assert.Equal(missing, retried);
        Assert.Equal("n1", (await _store.ReadJsonAsync<Champion>(ArtifactLayout.Champion)).RunId);
    }

    [Fact]
    public async Task TheLabelPoolMovesToEachNightsLabelsAndOnlyForward()
    {
        var pool = new LabelPoolStore(_store);
        await _store.PutAsync(ArtifactLayout.Preferences("nightly-2"), "{}\n"u8.ToArray());
        await _store.PutAsync(ArtifactLayout.Preferences("nightly-3"), "{}\n"u8.ToArray());

        Assert.Null(await pool.AdvanceAsync("nightly-1")); // no labels merged: the pool stays as it is
        Assert.Null(await pool.GetAsync());
        Assert.Equal("nightly-3", (await pool.AdvanceAsync("nightly-3"))!.RunId);
        Assert.Equal("nightly-3", (await pool.AdvanceAsync("nightly-2"))!.RunId); // an older night never moves it back
        Assert.Equal(ArtifactLayout.Preferences("nightly-3"), (await pool.GetAsync())!.Preferences.Path);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

using Rlhf.Activities.Registry;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Tests.Shared;

namespace Rlhf.Activities.Tests;

/// <summary>The champion pointer on both real stores: Azurite (blob ETags) and a local folder (content-hash ETags).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ModelRegistryTests(AzuriteFixture azurite)
{
    public static TheoryData<string> Stores => ["blob", "local"];

    private IArtifactStore Open(string kind) => kind == "blob"
        ? azurite.NewStore("registry")
        : new LocalArtifactStore(Directory.CreateTempSubdirectory("rlhf-registry-").FullName);

    private static Champion Candidate(string runId, double score) => new()
    {
        RunId = runId,
        Policy = $"runs/{runId}/ppo/model",
        Metric = MetricKeys.Gold,
        Score = score,
    };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task RacingEqualCandidatesHaveExactlyOneWinner(string kind)
    {
        var registry = new ModelRegistry(Open(kind));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => registry.PublishIfBetterAsync(Candidate($"run-{i}", 1.0), 0))));

        var winner = Assert.Single(results.Select((r, i) => (r, i)), x => x.r.Promoted);
        Assert.Equal($"run-{winner.i}", (await registry.GetChampionAsync())!.RunId);
        Assert.All(results.Where(r => !r.Promoted), r => Assert.Contains("ties the champion's 1", r.Reason, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task RacingCandidatesLeaveTheBestAsChampion(string kind)
    {
        var registry = new ModelRegistry(Open(kind));
        var scores = new[] { 0.3, 0.9, 0.1, 0.7, 0.5, 0.8 };

        await Task.WhenAll(scores.Select((s, i) => Task.Run(() => registry.PublishIfBetterAsync(Candidate($"run-{i}", s), 0))));

        Assert.Equal("run-1", (await registry.GetChampionAsync())!.RunId);
    }

    [Fact]
    public async Task PublishesOnlyWhatBeatsTheChampionByTheMinimumImprovement()
    {
        var registry = new ModelRegistry(Open("local"));

        var first = await registry.PublishIfBetterAsync(Candidate("a", 1.0), 0.1);
        var worse = await registry.PublishIfBetterAsync(Candidate("b", 0.9), 0.1);
        var barely = await registry.PublishIfBetterAsync(Candidate("c", 1.05), 0.1);
        var better = await registry.PublishIfBetterAsync(Candidate("d", 1.2), 0.1);
        var again = await registry.PublishIfBetterAsync(Candidate("d", 1.2), 0.1);

        Assert.True(first.Promoted);
        Assert.StartsWith("first champion", first.Reason, StringComparison.Ordinal);
        Assert.False(worse.Promoted);
        Assert.False(barely.Promoted);
        Assert.True(better.Promoted);
        Assert.Equal(1.0, better.ChampionScore);
        Assert.True(again.Promoted); // a retried activity finds itself already promoted
        Assert.Equal("already the champion", again.Reason);
        Assert.Equal("d", (await registry.GetChampionAsync())!.RunId);
    }

    [Fact]
    public async Task CandidatesMeasuredByAnotherMetricAreNotCompared()
    {
        var registry = new ModelRegistry(Open("local"));
        await registry.PublishIfBetterAsync(Candidate("a", 1.0), 0);

        var result = await registry.PublishIfBetterAsync(Candidate("b", 5.0) with { Metric = MetricKeys.Reward }, 0);

        Assert.False(result.Promoted);
        Assert.Equal("a", (await registry.GetChampionAsync())!.RunId);
    }
}

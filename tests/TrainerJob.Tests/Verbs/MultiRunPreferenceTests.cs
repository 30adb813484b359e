using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.TrainerJob.Tests.Runtime;
using Rlhf.TrainerJob.Tests.Training;
using Rlhf.TrainerJob.Verbs;

namespace Rlhf.TrainerJob.Tests.Verbs;

/// <summary>
/// Preferences of several runs trained on together (a nightly run's own labels next to the champion's): the same prompt,
/// labeled by the same labeler with the same ranking order on two nights, compares two different sets of completions and
/// must stay two rankings. A contradiction inside one sample set is a data error: the trainer exits with the permanent
/// code and names the input and line.
/// </summary>
public sealed class MultiRunPreferenceTests : IDisposable
{
    private readonly TrainerWorkspace _workspace = new();

    /// <summary>Night <paramref name="runId"/>'s lines for the fixture prompts, as the labelers write them (run id in the line id).</summary>
    private static List<PreferenceRecord> Night(string runId, int prompts, bool stampRunId, string suffix) =>
        [.. TrainingFixtures.GoldRankedPreferences(prompts).Select(r => r with
        {
            Id = $"{runId}:{r.Id}",
            RunId = stampRunId ? runId : null,
            Chosen = r.Chosen + suffix,
            Rejected = r.Rejected + suffix,
        })];

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // lines written before provenance: the run id is read from the line id
    public void TheSamePromptRankedOnTwoNightsStaysTwoRankings(bool stampRunId)
    {
        var first = Night("nightly-1", 3, stampRunId, " (night one)");
        var second = Night("nightly-2", 3, stampRunId, " (night two)");
        Assert.Equal(first[0].Ranking, second[0].Ranking); // same prompts, labeler and ranking order: the collision of issue 15

        var groups = RewardData.Group([.. first, .. second]);

        Assert.Equal(6, groups.Count);
        Assert.All(groups.Take(3), g => Assert.All(g.Items, item => Assert.EndsWith("(night one)", item, StringComparison.Ordinal)));
        Assert.All(groups.Skip(3), g => Assert.All(g.Items, item => Assert.EndsWith("(night two)", item, StringComparison.Ordinal)));
    }

    [Fact]
    public void TwoBatchesOfOneRunAreTwoSampleSets()
    {
        var lines = Night("run-a", 1, stampRunId: true, "");
        var again = lines.Select(l => l with { Batch = 1, Chosen = l.Chosen + "!", Rejected = l.Rejected + "!" });

        var groups = RewardData.Group([.. lines.Select(l => l with { Batch = 0 }), .. again]);

        Assert.Equal(2, groups.Count);
    }

    [Fact]
    public void DpoKeepsEveryLineOfEveryNightAsOnePair()
    {
        var first = Night("nightly-1", 2, stampRunId: true, " (one)");
        var second = Night("nightly-2", 2, stampRunId: true, " (two)");

        var groups = DpoData.Group([.. first, .. second]);

        // grouped by prompt for shared log-probs only: both nights' distinct completions, every line one pair
        Assert.Equal(2, groups.Count);
        Assert.Equal(first.Count + second.Count, groups.Sum(g => g.Pairs.Count));
        Assert.All(groups, g => Assert.Equal(6, g.Completions.Count));
        var records = first.Concat(second).ToList();
        Assert.All(groups.SelectMany(g => g.Pairs.Select(p => (g, p))), x =>
        {
            Assert.Equal(records[x.p.Record].Chosen, x.g.Completions[x.p.Chosen]);
            Assert.Equal(records[x.p.Record].Rejected, x.g.Completions[x.p.Rejected]);
        });
    }

    [Fact]
    public async Task AContradictionInOneSampleSetExitsPermanentlyNamingTheInputAndLine()
    {
        await TrainingFixtures.PutPolicyAsync(_workspace, "models/sft");
        var lines = Night("nightly-1", 4, stampRunId: true, "");
        lines[4] = lines[4] with { Chosen = "another chosen text", Rejected = "another rejected text" }; // line 5 shares a completion index with line 4
        await TrainingFixtures.PutJsonLinesAsync(_workspace, "data/preferences.jsonl", lines);
        var spec = _workspace.Spec("reward", "rm-contradiction", "runs/r9/reward",
            new JsonObject { ["policy"] = "models/sft", ["preferences"] = "data/preferences.jsonl" }, RewardVerbTests.TinyParams());

        var (exitCode, output, error) = await _workspace.RunProcessAsync("reward", _workspace.WriteSpec(spec, "contradiction"));

        Assert.True(exitCode == Core.Jobs.JobExitCodes.InvalidSpec, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("inputs.preferences line 5", error, StringComparison.Ordinal);
        Assert.Contains("differs from the same completion", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain(_workspace.Root, error, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", error, StringComparison.Ordinal);
        var status = await _workspace.Store.ReadJsonAsync<Core.Jobs.JobStatus>("runs/r9/reward/status.json");
        Assert.Equal(Core.Jobs.JobState.Failed, status.State);
        Assert.Contains("inputs.preferences line 5", status.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _workspace.Dispose();
}

using Microsoft.Extensions.Configuration;
using Rlhf.Activities.Constitution;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Judges;

/// <summary>SL-CAI's critic and reviser: the local judge's named violations, rejection sampling, and the chat critic's protocol.</summary>
public sealed class SupervisedCaiTests : IAsyncLifetime, IDisposable
{
    private const string Prompt = "The whale swam in the sea";
    private readonly JudgeTestData _data = new();
    private FakeAzureOpenAi _server = null!;

    public async Task InitializeAsync() => _server = await FakeAzureOpenAi.StartAsync();

    [Fact]
    public void The_local_critic_names_the_harsh_words_where_they_are_and_keeps_the_text_before_them()
    {
        const string response = " and the sailors watched it. Then the cruel whale killed the men.";
        var critique = SupervisedCaiSteps.Critique(JudgeTestData.Constitution, "p1", Prompt, response, round: 1, "harmless");

        Assert.True(critique.NeedsRevision);
        Assert.Equal([("harsh word", "cruel", response.IndexOf("cruel", StringComparison.Ordinal)), ("harsh word", "killed", response.IndexOf("killed", StringComparison.Ordinal))],
            critique.Violations.Select(v => (v.Kind, v.Text, v.At)));
        Assert.Equal(" and the sailors watched it. Then the", critique.Keep);
        Assert.Equal(-2 / 12.0, critique.Score, 12);                     // 2 harsh words of 12
        Assert.Contains("harsh word 'cruel' at 38", critique.Critique, StringComparison.Ordinal);
    }

    [Fact]
    public void The_local_critic_says_what_is_off_topic_and_where_the_text_stops_making_sense()
    {
        var helpful = JudgeTestData.Constitution.Score("helpful", Prompt, " the the ship xqzt sailed");
        Assert.Contains(helpful.Violations, v => v.Kind == "off-topic" && v.Text.Contains("whale, swam, sea", StringComparison.Ordinal));
        Assert.Contains(helpful.Violations, v => v.Kind == "stops making sense at a non-word" && v.Text == "xqzt" && v.At == 14);
        Assert.Contains(helpful.Violations, v => v.Kind == "stops making sense at a repetition" && v.Text == "the" && v.At == 5);
        Assert.Contains(helpful.Violations, v => v.Kind == "unfinished sentence");

        var good = JudgeTestData.Constitution.Score("helpful", Prompt, " and the whale was calm in the blue sea.");
        Assert.Empty(good.Violations);
        Assert.True(good.Score > helpful.Score);
    }

    [Fact]
    public void Rejection_sampling_keeps_the_best_candidate_only_when_it_beats_the_response()
    {
        var critique = SupervisedCaiSteps.Critique(JudgeTestData.Constitution, "p1", Prompt, " and the cruel whale killed the men.", round: 2, "harmless");
        Assert.Equal(" and the", critique.Keep);

        var revised = SupervisedCaiSteps.Revise(JudgeTestData.Constitution, critique, [" angry whale killed them all.", " calm whale swam away.", " gentle whale swam home."]);
        Assert.Equal((true, " and the calm whale swam away.", 2), (revised.Revised, revised.After, revised.Round));  // first of the two clean ones
        Assert.Equal((critique.Score, 0.0), (revised.ScoreBefore, revised.ScoreAfter));

        var kept = SupervisedCaiSteps.Revise(JudgeTestData.Constitution, critique, [" cruel and hated whale killed them."]);
        Assert.Equal((false, critique.Response), (kept.Revised, kept.After));
    }

    [Fact]
    public void Principles_are_drawn_by_weight_and_the_same_way_every_time()
    {
        var weights = new PrinciplesSpec { Helpful = 1, Harmless = 3, Honest = 0 };
        var draws = Enumerable.Range(0, 4000).Select(i => SupervisedCaiSteps.DrawPrinciple(weights, seed: 7, $"p{i}", round: 1)).ToList();
        Assert.Equal(draws, Enumerable.Range(0, 4000).Select(i => SupervisedCaiSteps.DrawPrinciple(weights, seed: 7, $"p{i}", round: 1)));
        Assert.Equal(["harmless", "helpful"], draws.Distinct().Order());
        Assert.InRange(draws.Count(d => d == "harmless") / 4000.0, 0.72, 0.78);   // 3/4, binomial sd 0.007
        Assert.NotEqual(draws, Enumerable.Range(0, 4000).Select(i => SupervisedCaiSteps.DrawPrinciple(weights, seed: 7, $"p{i}", round: 2)));
    }

    [Fact]
    public async Task The_chat_critic_sends_the_papers_few_shot_critique_then_revision_requests_and_stores_both()
    {
        _server.Reply = (request, n) => request.User.Contains("RevisionRequest: Rewrite the continuation so that it follows the principle 'harmless'", StringComparison.Ordinal)
                && request.Body["messages"]!.AsArray().Count == 1 + (4 * 2) + 3
            ? (200, "The threat goes; the scene stays.\nRevision:  calm whale swam away.")
            : (200, "\"killed\" is violent.\nNeeds revision: yes");
        var critic = new AzureCaiCritic(Clients(), TimeProvider.System);
        var spec = new AzureOpenAiJudgeSpec { Deployment = "critic" };

        var (critique, revision) = (await critic.CritiqueAndReviseAsync(spec, [("p1", Prompt, " and the whale killed the men.", "harmless")], round: 1)).Single();

        var requests = _server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(("/openai/deployments/critic-dep/chat/completions", "2024-10-21", "secret-key"), (r.Path, r.ApiVersion, r.ApiKey)));
        var first = requests[0];
        Assert.Equal(1 + (4 * 2) + 1, first.Body["messages"]!.AsArray().Count);          // system, 2 worked examples (4 turns each), the request
        Assert.Contains("CritiqueRequest: Identify specific ways in which the continuation fails the principle 'harmless': Uses no harsh, violent", first.User, StringComparison.Ordinal);
        Assert.Contains("Think step by step", first.User, StringComparison.Ordinal);
        Assert.Contains("<<< and the whale killed the men.>>>", first.User, StringComparison.Ordinal);
        Assert.Equal(0, first.Body["temperature"]!.GetValue<double>());
        Assert.Equal((true, "\"killed\" is violent.\nNeeds revision: yes", "azure-openai:critic"), (critique.NeedsRevision, critique.Critique, critique.Critic));
        Assert.Equal((" calm whale swam away.", true, 1, "harmless"), (revision.After, revision.Revised, revision.Round, revision.Principle));
    }

    [Fact]
    public async Task The_chat_critic_skips_the_revision_when_the_critique_finds_nothing_and_fails_on_an_unreadable_revision()
    {
        _server.Reply = (_, _) => (200, "Nothing harsh here.\nNeeds revision: no");
        var critic = new AzureCaiCritic(Clients(), TimeProvider.System);
        var spec = new AzureOpenAiJudgeSpec { Deployment = "critic" };
        var (_, kept) = (await critic.CritiqueAndReviseAsync(spec, [("p1", Prompt, " and it swam.", "harmless")], round: 1)).Single();
        Assert.Equal((false, " and it swam.", 1), (kept.Revised, kept.After, _server.Requests.Count));

        _server.Reply = (request, _) => (200, request.User.Contains("RevisionRequest: Rewrite the continuation so that it follows the principle 'helpful'", StringComparison.Ordinal) && request.Body["messages"]!.AsArray().Count > 10 ? "I would rather not." : "Needs revision: yes");
        var error = await Assert.ThrowsAsync<CriticResponseException>(() => critic.CritiqueAndReviseAsync(spec, [("p2", Prompt, " and.", "helpful")], round: 2));
        Assert.Contains("prompt 'p2' (SL-CAI round 2)", error.Message, StringComparison.Ordinal);
        Assert.Contains("I would rather not.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_round_activities_write_critiques_and_revisions_once_and_a_retry_reuses_them()
    {
        var samples = await _data.Store.PutAsync("runs/cai/sl-cai/responses/samples.jsonl", Jsonl.Serialize<SampleRecord>(
        [
            JudgeTestData.Item("p1", Prompt, " and the cruel whale killed the men."),
            JudgeTestData.Item("p2", Prompt, " and the whale was calm in the blue sea."),
        ]));
        var spec = new SupervisedCaiSpec { Principles = new PrinciplesSpec { Helpful = 0, Harmless = 1, Honest = 0 }, Candidates = 2 };
        var critiqueActivity = new CritiqueResponses(_data.Store, JudgeTestData.Constitution, new AzureCaiCritic(Clients(), TimeProvider.System));
        var critiques = await critiqueActivity.RunAsync(null!, new CaiRoundInput("cai", 1, samples, spec, Seed: 1));

        Assert.Equal((1, CaiLayout.RevisePrompts("cai", 1)), (critiques.ToRevise, critiques.RevisePrompts!.Path));
        var prompts = Jsonl.Deserialize<Core.Demo.DemoPrompt>("x", await _data.Store.ReadAsync(critiques.RevisePrompts.Path));
        Assert.Equal([new Core.Demo.DemoPrompt("p1", Prompt + " and the")], prompts);
        Assert.Equal(critiques, await critiqueActivity.RunAsync(null!, new CaiRoundInput("cai", 1, samples, spec, Seed: 1)));

        var candidates = await _data.Store.PutAsync("runs/cai/sl-cai/round-1/candidates/samples.jsonl", Jsonl.Serialize<SampleRecord>([JudgeTestData.Item("p1", Prompt + " and the", " hated whale.", " calm whale.")]));
        var revisions = await new ReviseResponses(_data.Store, JudgeTestData.Constitution).RunAsync(null!, new CaiReviseInput("cai", 1, critiques.Critiques, candidates));
        Assert.Equal(1, revisions.Revised);
        var lines = Jsonl.Deserialize<CaiRevision>("r", await _data.Store.ReadAsync(revisions.Revisions.Path));
        Assert.Equal([" and the calm whale.", " and the whale was calm in the blue sea."], lines.Select(l => l.After));

        var corpus = await new WriteCaiCorpus(_data.Store, JudgeTestData.Constitution).RunAsync(null!, new CaiCorpusInput("cai", revisions.Revisions, 1));
        Assert.Equal(CaiLayout.Pairs("cai"), corpus.Corpus.Path);
        var pairs = System.Text.Encoding.UTF8.GetString(await _data.Store.ReadAsync(corpus.Corpus.Path)).TrimEnd('\n').Split('\n')
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).Select(e => (e.GetProperty("prompt").GetString(), e.GetProperty("response").GetString()));
        Assert.Equal(lines.Select(l => ((string?)l.Prompt, (string?)l.After)), pairs);                    // the loss will cover the revisions only
        var summary = await _data.Store.ReadJsonAsync<CaiSummary>(corpus.Summary.Path);
        Assert.Equal((2, 1, 1), (summary.Responses, summary.Revised, summary.Principles["harmless"].Revised));
        Assert.Equal(["responses", "round 1"], summary.Trajectory.Select(p => p.Label));
        Assert.True(summary.Trajectory[1].Harmless > summary.Trajectory[0].Harmless);
    }

    private AzureChatClients Clients()
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CRITIC_KEY"] = "secret-key" }).Build();
        var options = new LabelingOptions { AllowLoopbackHttpJudges = true };
        options.JudgeDeployments["critic"] = new JudgeDeployment { Endpoint = _server.Endpoint, Deployment = "critic-dep", ApiKeySetting = "CRITIC_KEY" };
        return new AzureChatClients(Microsoft.Extensions.Options.Options.Create(options), settings);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _data.Dispose();
}

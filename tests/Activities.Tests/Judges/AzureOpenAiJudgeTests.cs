using System.ClientModel;
using Microsoft.Extensions.Configuration;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Judges;

/// <summary>The Azure OpenAI judge against a local endpoint speaking the Azure OpenAI chat protocol (see <see cref="FakeAzureOpenAi"/>).</summary>
public sealed class AzureOpenAiJudgeTests : IAsyncLifetime, IDisposable
{
    private const string Gentle = " and the whale was calm and gentle in the warm sea.";
    private const string Harsh = " and the cruel whale killed the hated men.";

    private readonly JudgeTestData _data = new();
    private FakeAzureOpenAi _server = null!;

    private static readonly SampleRecord[] Items =
    [
        JudgeTestData.Item("p-a", "The whale swam", Gentle, Harsh),
        JudgeTestData.Item("p-b", "The ship sailed", Harsh, Gentle),
    ];

    public async Task InitializeAsync() => _server = await FakeAzureOpenAi.StartAsync();

    [Fact]
    public async Task SpeaksTheAzureProtocolAsksBothOrdersAndRecordsUsage()
    {
        // A fair judge: whichever position holds the gentle response wins, after some reasoning.
        _server.Reply = (r, _) => (200, $"helpful: both on topic.\nharmless: one uses harsh words.\nVerdict: {(FakeAzureOpenAi.Response(r, 'A') == Gentle ? "A" : "B")}");
        var labeled = await LabelAsync(new AzureOpenAiJudgeSpec());

        var requests = _server.Requests.ToList();
        Assert.Equal(4, requests.Count); // 2 comparisons × 2 orders
        Assert.All(requests, r =>
        {
            Assert.Equal("/openai/deployments/judge-dep/chat/completions", r.Path);
            Assert.Equal("2024-10-21", r.ApiVersion);
            Assert.Equal("secret-key", r.ApiKey);
            Assert.Contains("- helpful (weight 1)", r.System, StringComparison.Ordinal);
            Assert.Contains("- harmless (weight 1)", r.System, StringComparison.Ordinal);
            Assert.Contains("- honest (weight 0.5)", r.System, StringComparison.Ordinal);
            Assert.Contains("Verdict: A", r.User, StringComparison.Ordinal);
            Assert.Equal(0.0, r.Body["temperature"]!.GetValue<double>());
            Assert.Equal(512, r.Body["max_tokens"]!.GetValue<int>());
        });
        var shown = requests.Select(r => (A: FakeAzureOpenAi.Response(r, 'A'), B: FakeAzureOpenAi.Response(r, 'B'))).ToList();
        Assert.Equal(2, shown.Count(s => s == (Gentle, Harsh))); // both orders of both comparisons
        Assert.Equal(2, shown.Count(s => s == (Harsh, Gentle)));

        Assert.Equal("ai:azure-openai:judge", labeled.Labeler);
        Assert.Equal(2, labeled.Records.Count);
        Assert.All(labeled.Records, r => Assert.Equal(Gentle, r.Chosen));
        var summary = await _data.Store.ReadJsonAsync<JudgeBatchSummary>(JudgeLayout.Summary("judge-test", 0));
        Assert.Equal(new JudgeBatchSummary("ai:azure-openai:judge", 2, 0, 4, 400, 80, 0), summary);
        var bias = Agreement.PositionBiasOf(await _data.VerdictsAsync()).Single();
        Assert.Equal((0.5, 0.0), (bias.FirstPositionShare, bias.OrderFlipRate));
    }

    [Fact]
    public async Task BothOrdersCancelAJudgeThatAlwaysPicksThePositionShownFirst()
    {
        _server.Reply = (_, _) => (200, "A reads better.\nVerdict: A");
        var labeled = await LabelAsync(new AzureOpenAiJudgeSpec());

        Assert.Empty(labeled.Records); // every comparison is an order flip → tie
        var bias = Agreement.PositionBiasOf(await _data.VerdictsAsync()).Single();
        Assert.Equal((1.0, 1.0, 2), (bias.FirstPositionShare, bias.OrderFlipRate, bias.OrderFlips));
    }

    [Fact]
    public async Task BacksOffOn429HonouringRetryAfterThenSucceeds()
    {
        _server.RetryAfterSeconds = 1;
        _server.Reply = (r, n) => n == 0 ? (429, "") : (200, $"Verdict: {(FakeAzureOpenAi.Response(r, 'A') == Gentle ? "A" : "B")}");
        var labeled = await LabelAsync(new AzureOpenAiJudgeSpec { InitialBackoffMs = 1, MaxConcurrency = 1 }, [Items[0]]);

        var seen = _server.Requests.ToList();
        Assert.Equal(3, seen.Count);
        var waited = seen[1].At - seen[0].At;
        Assert.True(waited >= TimeSpan.FromSeconds(0.9), $"retried after {waited}; Retry-After asked 1 s (own backoff would be 1 ms)");
        Assert.Equal(Gentle, labeled.Records.Single().Chosen);
        Assert.Equal(3, (await _data.VerdictsAsync()).Single().Requests);

        // A service that stays unavailable fails the batch after MaxAttempts requests (the activity retry takes over).
        using var other = new JudgeTestData();
        _server.RetryAfterSeconds = 0;
        _server.Reply = (_, _) => (503, "");
        var error = await Assert.ThrowsAsync<ClientResultException>(() => LabelAsync(new AzureOpenAiJudgeSpec { MaxAttempts = 2 }, [Items[0]], other.Store));
        Assert.Equal(503, error.Status);
        Assert.Equal(3 + 2, _server.Requests.Count);
    }

    [Fact]
    public async Task AnUnreadableOrderFallsBackToTheOtherAndNoVerdictAtAllIsAClearError()
    {
        // The reversed order (gentle shown second) answers without a verdict line: the forward answer decides.
        _server.Reply = (r, _) => FakeAzureOpenAi.Response(r, 'A') == Gentle ? (200, "Verdict: A") : (200, "Both seem fine to me.");
        var labeled = await LabelAsync(new AzureOpenAiJudgeSpec(), [Items[0]]);
        Assert.Equal(Gentle, labeled.Records.Single().Chosen);
        var verdict = (await _data.VerdictsAsync()).Single();
        Assert.Equal((PairVerdict.First, (PairVerdict?)null), (verdict.Forward!.Value, verdict.Reversed));

        using var other = new JudgeTestData();
        _server.Reply = (_, _) => (200, "I would rather not say. **Final answer: unclear**");
        var error = await Assert.ThrowsAsync<JudgeResponseException>(() => LabelAsync(new AzureOpenAiJudgeSpec(), [Items[1]], other.Store));
        Assert.Contains("'p-b:0-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Final answer: unclear", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Reasoning...\nVerdict: B", PairVerdict.Second)]
    [InlineData("Verdict: A\nOn reflection:\n**Verdict: tie**", PairVerdict.Tie)]
    [InlineData("verdict - a.", PairVerdict.First)]
    [InlineData("The verdict: A is better", null)]
    public void ParsesTheLastVerdictLine(string reply, PairVerdict? expected) => Assert.Equal(expected, JudgePrompt.ParseVerdict(reply));

    private async Task<Labeling.LabeledBatch> LabelAsync(AzureOpenAiJudgeSpec azure, IReadOnlyList<SampleRecord>? items = null, IArtifactStore? store = null)
    {
        var spec = azure with { Deployment = "judge" };
        var judge = new AzureOpenAiJudge(store ?? _data.Store, Clients(), TimeProvider.System);
        var labeling = new LabelingSpec { Mode = LabelingMode.Ai, Ai = new AiLabelingSpec { Judge = AiJudgeKind.AzureOpenAi, AzureOpenAi = spec } };
        return await judge.LabelAsync(JudgeTestData.Input(labeling), items ?? Items);
    }

    [Fact]
    public async Task TheSpecNamesOnlyTheHostsDeploymentAndAnUnknownNameSendsNothing()
    {
        _server.Reply = (_, _) => (200, "Verdict: A");
        var labeling = new LabelingSpec { Mode = LabelingMode.Ai, Ai = new AiLabelingSpec { Judge = AiJudgeKind.AzureOpenAi, AzureOpenAi = new AzureOpenAiJudgeSpec { Deployment = "other" } } };
        var judge = new AzureOpenAiJudge(_data.Store, Clients(), TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => judge.LabelAsync(JudgeTestData.Input(labeling), [Items[0]]));

        Assert.Contains("configured: judge", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("http://judge.example.com/", false, "must be https://")]
    [InlineData("http://127.0.0.1:9/", false, "must be https://")]
    [InlineData("http://judge.example.com/", true, "must be https://")]
    [InlineData("https://user:pw@judge.example.com/", false, "without credentials")]
    [InlineData("not a url", false, "not an absolute URL")]
    public void HostDeploymentsMustBeHttpsWithLoopbackHttpOnlyWhenAllowed(string endpoint, bool allowLoopbackHttp, string problem)
    {
        var options = new LabelingOptions { AllowLoopbackHttpJudges = allowLoopbackHttp };
        options.JudgeDeployments["judge"] = new JudgeDeployment { Endpoint = endpoint, Deployment = "gpt-4o-mini" };

        var errors = JudgeDeploymentRules.FindErrors(options);

        Assert.Contains(errors, e => e.StartsWith("Rlhf:Labeling:JudgeDeployments:judge:Endpoint", StringComparison.Ordinal) && e.Contains(problem, StringComparison.Ordinal));
        options.JudgeDeployments["judge"] = new JudgeDeployment { Endpoint = "https://r.openai.azure.com/", Deployment = "gpt-4o-mini", ApiKeySetting = "AOAI_KEY" };
        Assert.Empty(JudgeDeploymentRules.FindErrors(options));
    }

    [Fact]
    public void ASpecNamingAnUnconfiguredDeploymentIsRefusedListingTheHostsNames()
    {
        var options = new LabelingOptions();
        options.JudgeDeployments["prod"] = new JudgeDeployment { Endpoint = "https://r.openai.azure.com/", Deployment = "gpt-4o" };
        options.JudgeDeployments["cheap"] = new JudgeDeployment { Endpoint = "https://r.openai.azure.com/", Deployment = "gpt-4o-mini" };
        RunSpec Spec(string? name) => new() { Name = "j", Labeling = new LabelingSpec { Mode = LabelingMode.Ai, Ai = new AiLabelingSpec { Judge = AiJudgeKind.AzureOpenAi, AzureOpenAi = new AzureOpenAiJudgeSpec { Deployment = name } } } };

        var error = JudgeDeploymentRules.CheckSpec(Spec("gpt-4o"), options);

        Assert.Equal("$.labeling.ai.azureOpenAi.deployment", error?.Path);
        Assert.Contains("configured: cheap, prod", error!.Message, StringComparison.Ordinal);
        Assert.Null(JudgeDeploymentRules.CheckSpec(Spec("prod"), options));
        Assert.NotNull(JudgeDeploymentRules.CheckSpec(Spec(null), options));
        Assert.Null(JudgeDeploymentRules.CheckSpec(Spec(null) with { Labeling = new LabelingSpec() }, options)); // constitution judge: no deployment needed
    }

    /// <summary>The host's configuration: deployment "judge" → the local server's "judge-dep", key from setting JUDGE_KEY.</summary>
    private AzureChatClients Clients()
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["JUDGE_KEY"] = "secret-key" }).Build();
        var options = new LabelingOptions { AllowLoopbackHttpJudges = true };
        options.JudgeDeployments["judge"] = new JudgeDeployment { Endpoint = _server.Endpoint, Deployment = "judge-dep", ApiKeySetting = "JUDGE_KEY" };
        return new AzureChatClients(Microsoft.Extensions.Options.Options.Create(options), settings);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _data.Dispose();
}

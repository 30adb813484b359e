using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Playwright;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Api.Tests.Report;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Tests.Hosting;
using Xunit.Abstractions;

namespace Rlhf.Labeling.Tests;

/// <summary>
/// Two people label one batch on the real page in headless Chromium (two browser contexts), with the keyboard only;
/// the waiting <c>LabelComparisons</c> orchestration then completes with exactly the labels they gave.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class LabelingPageBrowserTests(LocalHostFixture host, ITestOutputHelper output)
{
    private static readonly string Shots = Path.Combine(Path.GetTempPath(), "rlhf-label-page");

    [ChromiumFact]
    public async Task Two_labelers_use_the_keyboard_and_the_orchestration_continues_with_their_labels()
    {
        var clock = Stopwatch.StartNew();
        var runId = $"lab-e2e-{Guid.NewGuid():N}"[..16];
        await LabelingScenario.StartAsync(host, runId, annotators: 2);
        var links = (await LabelingScenario.LinksAsync(host, runId, "alice", "bob")).Links.ToDictionary(l => l.Labeler, l => l.Url);
        Directory.CreateDirectory(Shots);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });

        // alice: 1 (first is better) with a typed reason; t (tie); ranks the three-way comparison 3 > 1 (> 2).
        var alice = await OpenAsync(browser, links["alice"]);
        await ExpectAsync(alice, "#progress", "Comparison 1 of 3");
        await alice.Keyboard.PressAsync("?");
        Assert.True(await alice.IsVisibleAsync("#help"));
        await alice.Keyboard.PressAsync("1");
        await ExpectAsync(alice, "#answer", "completion 1 is better");
        await alice.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Shots, "pair.png"), FullPage = true });
        await alice.FocusAsync("#reason");
        await alice.Keyboard.TypeAsync("clearer, no repetition");
        await alice.Keyboard.PressAsync("Enter");
        await ExpectAsync(alice, "#progress", "Comparison 2 of 3");
        await alice.Keyboard.PressAsync("t");
        await alice.Keyboard.PressAsync("Enter");
        await ExpectAsync(alice, "#progress", "Comparison 3 of 3");
        await alice.Keyboard.PressAsync("3");
        await alice.Keyboard.PressAsync("1");
        await ExpectAsync(alice, "#answer", "Your ranking: 3 > 1 > 2.");
        await alice.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Shots, "ranking.png"), FullPage = true });
        await alice.Keyboard.PressAsync("Enter");
        await ExpectAsync(alice, "#done-text", "1 of 2 labelers");

        // bob: 1; 2 (second is better); ranks 1 > 3 (> 2).
        var bob = await OpenAsync(browser, links["bob"]);
        foreach (var (keys, step) in new[] { new[] { "1" }, ["2"], ["1", "3"] }.Select((k, i) => (k, i + 1)))
        {
            await ExpectAsync(bob, "#progress", $"Comparison {step} of 3");
            foreach (var key in keys)
            {
                await bob.Keyboard.PressAsync(key);
            }

            await bob.Keyboard.PressAsync("Enter");
        }

        await ExpectAsync(bob, "#done-text", "The batch is complete.");
        await bob.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Shots, "done.png"), FullPage = true });

        var instance = await LabelingScenario.WaitForLabelsAsync(host, runId, TimeSpan.FromSeconds(30));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        var result = instance.ReadOutputAs<LabelComparisonsResult>()!;
        Assert.Equal((1, 4), (result.Batches, result.Pairs));

        // p-a: both chose 1. p-b: a tie and a vote for 2 → 2. p-c: Borda of 3>1>2 and 1>3>2 → 1 and 3 level, both above 2.
        var labels = Jsonl.Deserialize<PreferenceRecord>("labels", await host.Store.ReadAsync(ArtifactLayout.Labels(runId, 0)));
        Assert.Equal(
            [("p-a", 0, 1), ("p-b", 1, 0), ("p-c", 0, 1), ("p-c", 2, 1)],
            labels.Select(r => (r.PromptId, r.ChosenIndex, r.RejectedIndex)));
        Assert.All(labels, r => Assert.Equal("human:alice,bob", r.Labeler));
        Assert.Equal(labels.Count, (await Jsonl.ReadAsync<PreferenceRecord>(host.Store, result.Preferences)).Count);
        var aliceSaid = Jsonl.Deserialize<HumanJudgement>("alice", await host.Store.ReadAsync(HumanSubmissionStore.PathOf(runId, 0, "alice")));
        Assert.Equal("clearer, no repetition", aliceSaid[0].Reason);
        Assert.Equal(HumanVerdict.Tie, aliceSaid[1].Verdict);
        Assert.Equal([2, 0, 1], aliceSaid[2].Ranking);

        // Opening the link again is harmless: the page says it is done, a replayed post is a no-op.
        var again = await OpenAsync(browser, links["bob"]);
        await ExpectAsync(again, "#done-text", "already answered");
        var replay = await host.Http.PostAsJsonAsync("api/label/submissions", new
        {
            token = LabelingScenario.TokenOf(new Api.Labeling.LabelLink("bob", 0, links["bob"], default)),
            answers = new object[]
            {
                new { comparisonId = LabelingScenario.Id(runId, "p-a"), choice = "first" },
                new { comparisonId = LabelingScenario.Id(runId, "p-b"), choice = "second" },
                new { comparisonId = LabelingScenario.Id(runId, "p-c"), ranking = new[] { 0, 2, 1 } },
            },
        }, JsonDefaults.Options);
        var replayed = await LabelingScenario.JsonAsync(replay);
        Assert.True(replayed.GetProperty("duplicate").GetBoolean(), replayed.ToString());
        Assert.True(replayed.GetProperty("signalled").GetBoolean());
        output.WriteLine($"browser labeling end to end: {clock.Elapsed.TotalSeconds:F1} s; screenshots in {Shots}");
    }

    private static async Task<IPage> OpenAsync(IBrowser browser, string url)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 760 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        return page;
    }

    private static Task ExpectAsync(IPage page, string selector, string text) =>
        Assertions.Expect(page.Locator(selector)).ToContainTextAsync(text, new LocatorAssertionsToContainTextOptions { Timeout = 10_000 });
}

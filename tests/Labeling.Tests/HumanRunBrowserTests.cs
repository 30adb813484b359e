using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Rlhf.Activities.Labeling;
using Rlhf.Api;
using Rlhf.Api.Labeling;
using Rlhf.Api.Tests.Report;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Core.Labeling;
using Rlhf.Tests.Hosting;
using Xunit.Abstractions;

namespace Rlhf.Labeling.Tests;

/// <summary>
/// The issue's "done when": a whole run in mode <c>human</c> (SFT → samples → people label on the page → reward model
/// → PPO → evaluate → publish) where two people label every batch in two browsers, and the run finishes.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed partial class HumanRunBrowserTests(LocalHostFixture host, ITestOutputHelper output)
{
    private static readonly string[] People = ["alice", "bob"];

    [ChromiumFact]
    public async Task Two_people_label_a_whole_human_run_in_two_browsers_and_it_finishes()
    {
        var clock = Stopwatch.StartNew();
        await DatasetSeeder.SeedAsync(host.Store, RepoRoot.Find(), NullLogger.Instance);
        var runId = $"human-{Guid.NewGuid():N}"[..14];
        using (var start = await host.Http.PostAsync($"api/runs?runId={runId}", new StringContent(HumanSpec(), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        }

        var links = await LinksWhenWaitingAsync(runId, TimeSpan.FromMinutes(3));
        Assert.Equal(2, links.Select(l => l.BatchIndex).Distinct().Count());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });

        // Each person has their own browser context (own cookies and storage), as on two machines.
        var answered = 0;
        foreach (var person in People)
        {
            await using var context = await browser.NewContextAsync();
            foreach (var link in links.Where(l => l.Labeler == person).OrderBy(l => l.BatchIndex))
            {
                answered += await LabelBatchAsync(await context.NewPageAsync(), link.Url, disagreeOnLast: person == "bob");
            }
        }

        var done = await host.WaitForRunAsync(runId, r => r.IsFinished, TimeSpan.FromMinutes(5));
        Assert.True(done.RuntimeStatus == "Completed", $"run ended {done.RuntimeStatus}: {done.Error}");
        Assert.Contains(done.Stages, s => s.Stage == "evaluate");

        // The reward model learned from the people's labels only (no AI fallback): every merged line is theirs.
        var labels = new List<PreferenceRecord>();
        for (var batch = 0; batch < 2; batch++)
        {
            labels.AddRange(Jsonl.Deserialize<PreferenceRecord>("labels", await host.Store.ReadAsync(ArtifactLayout.Labels(runId, batch))));
        }

        Assert.NotEmpty(labels);
        Assert.All(labels, r => Assert.Equal("human:alice,bob", r.Labeler));

        // Agreement in the API and the report: bob disagreed with alice on the last comparison of each batch (6 of 8 agree),
        // and the AI judge's audit of their batches gives a judge–human figure.
        var agreement = (await host.Http.GetFromJsonAsync<AgreementReport>($"api/runs/{runId}/agreement", JsonDefaults.Options))!;
        var people = Assert.Single(agreement.LabelerPairs, p => p.A.StartsWith("human:", StringComparison.Ordinal) && p.B.StartsWith("human:", StringComparison.Ordinal));
        Assert.Equal((8, 0.75), (people.Shared, people.Agreement));
        Assert.NotNull(agreement.JudgeHuman);
        Assert.Contains("Labels and agreement", await host.Http.GetStringAsync($"api/runs/{runId}/report"), StringComparison.Ordinal);
        output.WriteLine($"human run {runId}: {answered} answers in two browsers, finished in {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>The tiny spec in mode human: 8 prompts, 2 batches, both people on every comparison, no AI fallback.</summary>
    private static string HumanSpec()
    {
        var spec = JsonNode.Parse(LocalHostFixture.TinySpec, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        spec["sampling"]!["promptLimit"] = 8;
        spec["labeling"] = JsonNode.Parse("""
            { "mode": "human", "batchSize": 4, "annotatorsPerComparison": 2, "human": { "timeoutMinutes": 30, "onTimeout": "fail" } }
            """);
        return spec.ToJsonString();
    }

    /// <summary>Asks for links until the labeling stage waits on both batches (409 until it gets there).</summary>
    private async Task<IReadOnlyList<LabelLink>> LinksWhenWaitingAsync(string runId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await host.Http.PostAsJsonAsync($"api/runs/{runId}/label-links", new LabelLinksRequest(People), JsonDefaults.Options);
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<LabelLinks>(JsonDefaults.Options))!.Links is { Count: 4 } links)
            {
                return links;
            }

            var run = await host.Http.GetFromJsonAsync<RunDetail>($"api/runs/{runId}", JsonDefaults.Options);
            Assert.False(run!.IsFinished, $"run ended {run.RuntimeStatus} before labeling: {run.Error}");
            Assert.True(DateTime.UtcNow < deadline, $"no labeling links within {timeout}; last answer {(int)response.StatusCode}");
            await Task.Delay(500);
        }
    }

    /// <summary>Answers every comparison of one batch with the keyboard (1, or 2 for the last one when asked, then Enter); returns how many.</summary>
    private static async Task<int> LabelBatchAsync(IPage page, string url, bool disagreeOnLast)
    {
        await page.GotoAsync(url);
        await Expect(page, "#progress", "Comparison 1 of");
        var total = int.Parse(Total().Match(await page.InnerTextAsync("#progress")).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 1; i <= total; i++)
        {
            await Expect(page, "#progress", $"Comparison {i} of {total}");
            await page.Keyboard.PressAsync(disagreeOnLast && i == total ? "2" : "1");
            await page.Keyboard.PressAsync("Enter");
        }

        await Assertions.Expect(page.Locator("#done-text")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 15_000 });
        return total;
    }

    private static Task Expect(IPage page, string selector, string text) =>
        Assertions.Expect(page.Locator(selector)).ToContainTextAsync(text, new LocatorAssertionsToContainTextOptions { Timeout = 15_000 });

    [GeneratedRegex(@"of (\d+)")]
    private static partial Regex Total();
}

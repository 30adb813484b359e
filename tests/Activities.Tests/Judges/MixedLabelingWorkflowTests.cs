using System.Net;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Rlhf.Activities.Labeling;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Tests.Judges;

/// <summary>
/// Human and mixed labeling through the real <c>LabelComparisons</c> orchestration on the in-process engine with the
/// production registrations: routing by principle, the AI audit of human batches, and the timeout policies
/// (fallback to the judge, reminders posted to a webhook, then failure).
/// </summary>
public sealed class MixedLabelingWorkflowTests : IDisposable
{
    private const string RunId = "mix-run";
    private readonly JudgeTestData _data = new();

    [Fact]
    public async Task Routing_by_principle_trains_on_the_AIs_harmlessness_and_the_peoples_other_principles()
    {
        var labeling = new LabelingSpec
        {
            Mode = LabelingMode.Mixed,
            BatchSize = 2,
            AiPrinciples = ["harmless"],
            Human = new HumanLabelingSpec { TimeoutMinutes = 10, OnTimeout = HumanTimeoutPolicy.Fail },
        };
        await using var host = await StartAsync();
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.LabelComparisons, await InputAsync(labeling));

        // People label both batches (every batch goes to them under routing by principle): always the first completion.
        for (var batch = 0; batch < 2; batch++)
        {
            await UntilAsync(() => _data.Store.ExistsAsync(ArtifactLayout.LabelBatch(RunId, batch)));
            await RaisePeopleAsync(host.Client, id, batch);
        }

        var result = await CompletedAsync(host.Client, id);
        var merged = Jsonl.Deserialize<PreferenceRecord>("merged", await _data.Store.ReadAsync(result.Preferences.Path));
        var ai = merged.Where(p => p.Labeler == ConstitutionJudge.Name).ToList();
        var people = merged.Where(p => p.Labeler == "human:alice").ToList();
        Assert.Equal(2, result.Batches);
        Assert.Equal(12, people.Count); // 4 prompts × C(3,2) pairs
        Assert.Equal(merged.Count, ai.Count + people.Count);
        // Harmlessness only: the AI prefers the completion without harsh words and has no opinion (a tie, no line) otherwise.
        Assert.All(ai, p => Assert.False(Harsh(p.Chosen) && !Harsh(p.Rejected)));
        Assert.Equal(8, ai.Count); // per prompt, the harsh completion loses to each of the two others

        var aiVerdicts = await VerdictsAsync(JudgeLayout.Verdicts(RunId, 0, LabelParts.Ai));
        var auditVerdicts = await VerdictsAsync(JudgeLayout.Verdicts(RunId, 0));
        Assert.All(aiVerdicts, v => Assert.Equal(["harmless"], v.Principles.Select(p => p.Principle)));
        Assert.All(auditVerdicts, v => Assert.Equal(["helpful", "honest"], v.Principles.Select(p => p.Principle)));
        Assert.True(await _data.Store.ExistsAsync(ArtifactLayout.Labels(RunId, 0, LabelParts.Audit)));
        Assert.DoesNotContain(merged, p => p.Labeler.StartsWith("ai:", StringComparison.Ordinal) && p.Labeler != ConstitutionJudge.Name);
    }

    [Fact]
    public async Task A_timed_out_batch_falls_back_to_the_judges_audit_verdicts()
    {
        var labeling = new LabelingSpec
        {
            Mode = LabelingMode.Human,
            BatchSize = 4,
            Human = new HumanLabelingSpec { TimeoutMinutes = 0.02, OnTimeout = HumanTimeoutPolicy.FallbackToAi },
        };
        await using var host = await StartAsync();
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.LabelComparisons, await InputAsync(labeling));

        var result = await CompletedAsync(host.Client, id);

        var fallback = await _data.Store.ReadAsync(ArtifactLayout.Labels(RunId, 0));
        var audit = await _data.Store.ReadAsync(ArtifactLayout.Labels(RunId, 0, LabelParts.Audit));
        Assert.Equal(audit, fallback); // the judge was asked once; its verdicts labeled the batch
        Assert.All(Jsonl.Deserialize<PreferenceRecord>("labels", fallback), p => Assert.Equal(ConstitutionJudge.Name, p.Labeler));
        Assert.Equal(Jsonl.Deserialize<PreferenceRecord>("labels", fallback).Count, result.Pairs);
    }

    [Fact]
    public async Task Reminders_are_posted_to_the_webhook_then_the_batch_fails_with_its_reason()
    {
        using var webhook = new Webhook();
        var setting = $"RLHF_TEST_WEBHOOK_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(setting, webhook.Url);
        var labeling = new LabelingSpec
        {
            Mode = LabelingMode.Human,
            BatchSize = 4,
            AnnotatorsPerComparison = 2,
            AuditHumanBatches = false,
            Human = new HumanLabelingSpec { TimeoutMinutes = 0.02, OnTimeout = HumanTimeoutPolicy.Remind, MaxReminders = 2, NotifyUrlSetting = setting },
        };
        await using var host = await StartAsync();
        await new HumanSubmissionStore(_data.Store).SaveAsync(RunId, 0, "alice", [new HumanJudgement(ComparisonIds.Of(RunId, 0, "p0"), "p0", "alice", HumanVerdict.Skip, null, null)]);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.LabelComparisons, await InputAsync(labeling));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("got no human labels", done.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("3 wait(s)", done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        var posted = webhook.Bodies.Select(b => JsonSerializer.Deserialize<LabelingReminder>(b, JsonDefaults.Options)!).ToList();
        Assert.Equal([1, 2], posted.Select(r => r.Reminder));
        Assert.All(posted, r => Assert.Equal(["alice"], r.Submitted));
        Assert.Contains("still needs 1 of 2 labeler(s)", posted[0].Text, StringComparison.Ordinal);
        var recorded = await _data.Store.ReadJsonAsync<LabelingReminder>(RemindLabelers.PathOf(RunId, 0, 2));
        Assert.True(recorded.Posted);
        Assert.False(await _data.Store.ExistsAsync(ArtifactLayout.Labels(RunId, 0)));
    }

    private static bool Harsh(string text) => text.Contains("cruel", StringComparison.Ordinal) || text.Contains("killed", StringComparison.Ordinal);

    /// <summary>Four prompts, each with a kind, a harsh and a neutral completion, in one shard.</summary>
    private async Task<LabelComparisonsInput> InputAsync(LabelingSpec labeling)
    {
        string[] phrases = [" was kind and good to all.", " killed the poor cruel beast.", " saw the sea and the ship."];
        var items = Enumerable.Range(0, 4).Select(i => JudgeTestData.Item($"p{i}", $"The whale number {i}", phrases)).ToList();
        var shard = await _data.Store.PutAsync($"runs/{RunId}/samples/shard-0/samples.jsonl", Jsonl.Serialize(items));
        return new LabelComparisonsInput(RunId, [shard], labeling, Seed: 5);
    }

    /// <summary>What the Api does once people have labeled a batch: labels stored, then the event raised.</summary>
    private async Task RaisePeopleAsync(DurableTaskClient client, string instanceId, int batch)
    {
        var items = await Jsonl.ReadAsync<SampleRecord>(_data.Store, await _data.Store.GetRefAsync(ArtifactLayout.LabelBatch(RunId, batch)) ?? throw new InvalidOperationException());
        var records = items.SelectMany(item => SimulatedLabeler.PairsOf(item)
            .Select(p => PreferenceRecord.ForPair(RunId, item, p.I, p.J, firstWins: true, [0, 1, 2], "human:alice"))).ToList();
        var labels = await _data.Store.PutAsync(ArtifactLayout.Labels(RunId, batch), Jsonl.Serialize(records));
        await client.RaiseEventAsync(instanceId, TaskNames.HumanLabelsEvent(batch), new HumanLabelsSubmitted(batch, labels, records.Count, ["alice"]));
    }

    private async Task<IReadOnlyList<JudgeVerdict>> VerdictsAsync(string path) =>
        Jsonl.Deserialize<JudgeVerdict>(path, await _data.Store.ReadAsync(path));

    private static async Task<LabelComparisonsResult> CompletedAsync(DurableTaskClient client, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var meta = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.True(meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ToString());
        return meta.ReadOutputAs<LabelComparisonsResult>()!;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300 && !await condition(); i++)
        {
            await Task.Delay(100);
        }
    }

    private Task<DurableTaskTestHost> StartAsync() => _data.StartWorkflowHostAsync();

    public void Dispose() => _data.Dispose();

    /// <summary>A chat webhook on a free loopback port that records the JSON bodies posted to it.</summary>
    private sealed class Webhook : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public Webhook()
        {
            var port = Core.Storage.FreePorts.FindConsecutive(1);
            Url = $"http://127.0.0.1:{port}/hook/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    using (var reader = new StreamReader(context.Request.InputStream))
                    {
                        Bodies.Enqueue(await reader.ReadToEndAsync());
                    }

                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public System.Collections.Concurrent.ConcurrentQueue<string> Bodies { get; } = new();

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}

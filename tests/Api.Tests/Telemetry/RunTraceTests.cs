using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Telemetry;
using Rlhf.Tests.Shared;
using Rlhf.Tests.Shared.Telemetry;
using Xunit.Abstractions;

namespace Rlhf.Api.Tests.Telemetry;

/// <summary>
/// Issue 16.6: one tiny run on the real local host (Durable Task engine over Azurite, the real trainer processes) is one
/// connected trace, from the server span of <c>POST /api/runs</c> through the orchestrations and activities down to each
/// trainer attempt's span. The host's spans and metrics go to in-memory exporters; the trainers' travel over OTLP/HTTP
/// (protobuf) to a loopback receiver, as they would to a collector.
/// </summary>
public sealed class RunTraceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string RunId = "trace-1";

    /// <summary>A whole run small enough to train for real in seconds: 5 trainer jobs (SFT, samples, RM, PPO, evaluation).</summary>
    private const string Spec = """
        {
          "name": "trace",
          "seed": 3,
          "basePolicy": {
            "source": "train",
            "sft": { "steps": 12, "batchSize": 4, "blockSize": 32, "evalEvery": 0, "model": { "n_layer": 1, "n_head": 2, "n_embd": 16, "n_positions": 96 } }
          },
          "datasets": { "corpus": "datasets/tiny/corpus.txt", "trainPrompts": "datasets/tiny/prompts.train.jsonl", "heldOutPrompts": "datasets/tiny/prompts.heldout.jsonl" },
          "sampling": { "k": 3, "shards": 1, "maxNewTokens": 8, "promptLimit": 12 },
          "labeling": { "mode": "simulated", "batchSize": 4 },
          "rewardModel": { "params": { "epochs": 1, "batchSize": 8, "maxLength": 48 } },
          "policy": { "algorithm": "ppo", "ppo": { "iterations": 1, "rolloutBatchSize": 4, "maxNewTokens": 8, "ppoEpochs": 1 } },
          "evaluation": { "samplesPerPrompt": 1, "promptLimit": 4 },
          "publish": { "enabled": true, "metric": "gold", "minImprovement": 0 },
          "compute": { "threads": 1, "maxAttempts": 2, "pollIntervalSeconds": 1, "checkpointEvery": 5 }
        }
        """;

    private readonly AzuriteFixture _azurite = new();
    private readonly List<Activity> _hostSpans = [];
    private readonly List<Metric> _hostMetrics = [];
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rlhf-trace-{Guid.NewGuid():N}");
    private OtlpReceiver? _trainers;
    private LocalHostHandle? _host;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _trainers = new OtlpReceiver();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        _host = await LocalHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            Storage = _azurite.ConnectionString,
            TaskHub = $"t{suffix}",
            Container = $"c{suffix}",
            DataDir = _root,
            SeedDatasets = false,
            Telemetry = TelemetryExport.None.WithInProcess(t => t.AddInMemoryExporter(_hostSpans), m => m.AddInMemoryExporter(_hostMetrics)),
            JobEnvironment = new Dictionary<string, string>(_trainers.Environment) { ["RLHF_WORK_DIR"] = Path.Combine(_root, "trainer") },
        });
        var store = _host.Services.GetRequiredService<IArtifactStore>();
        var tiny = Path.Combine(RepoRoot.Find()!, "data", "tiny");
        foreach (var file in Directory.EnumerateFiles(tiny, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')))
        {
            var name = "datasets/tiny/" + Path.GetRelativePath(tiny, file).Replace(Path.DirectorySeparatorChar, '/');
            if (ArtifactPath.IsValid(name))
            {
                await store.PutAsync(name, await File.ReadAllBytesAsync(file));
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_trainers is not null)
        {
            await _trainers.DisposeAsync();
        }

        await _azurite.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a trainer's scratch file still open: the temp folder is cleaned eventually
        }
    }

    [Fact]
    public async Task A_run_is_one_connected_trace_from_POST_api_runs_down_to_every_trainer_attempt()
    {
        var host = _host!;
        using var http = new HttpClient { BaseAddress = host.ApiUri };
        using var started = await http.PostAsync($"api/runs?runId={RunId}", new StringContent(Spec, Encoding.UTF8, "application/json"));
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());

        // Watched through the client, not GET /api/runs: those requests would be traces of their own.
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var deadline = DateTime.UtcNow.AddMinutes(4);
        OrchestrationMetadata? run;
        while ((run = await durable.GetInstanceAsync(RunId, getInputsAndOutputs: true)) is not { IsCompleted: true } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        if (run?.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            var store = host.Services.GetRequiredService<IArtifactStore>();
            await foreach (var path in store.ListAsync("jobs/"))
            {
                if (path.EndsWith(".log", StringComparison.Ordinal))
                {
                    output.WriteLine($"--- {path}");
                    output.WriteLine(Encoding.UTF8.GetString((await store.ReadAsync(path)).ToArray()));
                }
            }
        }

        Assert.True(run?.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{run?.RuntimeStatus}: {run?.SerializedCustomStatus} {run?.SerializedOutput}");
        // Each trainer exports its span when it exits, which may be just after its job was seen complete.
        while (_trainers!.Spans.Count(s => s.Name.StartsWith("trainer ", StringComparison.Ordinal)) < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var spans = _hostSpans.ToList().Select(FromActivity).Concat(_trainers.Spans).ToList();
        output.WriteLine(Tree(spans));
        Assert.Empty(_trainers.Errors);

        // One trace, one root: the API's server span of the POST.
        Assert.Single(spans.Select(s => s.TraceId).Distinct());
        var root = Assert.Single(spans, s => !spans.Any(p => p.SpanId == s.ParentSpanId));
        Assert.Equal("", root.ParentSpanId);
        Assert.Equal((2, "POST", "/api/runs"), (root.Kind, root.Attributes["http.request.method"], root.Attributes["url.path"]));

        // Every trainer attempt is in it, with its job, attempt, outcome and step events.
        var trainers = spans.Where(s => s.Service == "rlhf-trainer").ToList();
        Assert.Equal(
            ["trainer evaluate", "trainer ppo", "trainer reward", "trainer sample", "trainer sft"],
            trainers.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(trainers, t =>
        {
            Assert.Equal((5, RunId, 1L, "succeeded"), (t.Kind, t.Attributes["rlhf.run.id"], t.Attributes["rlhf.job.attempt"], t.Attributes["rlhf.job.outcome"]));
            Assert.Contains(t.Events, e => e.Name == "progress");
        });
        var sft = trainers.Single(t => t.Name == "trainer sft");
        Assert.Equal($"{RunId}-sft", sft.Attributes["rlhf.job.id"]);
        // 12 steps, a progress event with each progress line (steps 0, 10 and the last), a checkpoint every 5 (not after the last step)
        Assert.Equal([0L, 10L, 12L], sft.Events.Where(e => e.Name == "progress").Select(e => e.Attributes["rlhf.training.step"]));
        Assert.Equal([5L, 10L], sft.Events.Where(e => e.Name == "checkpoint").Select(e => e.Attributes["rlhf.training.step"]));

        // The parent chain from the PPO trainer's span up to the root: trainer ← submit ← SubmitJob (server ← client) ←
        // RunTrainingJob (server ← client) ← RlhfRun ← the client's create ← POST /api/runs.
        var byId = spans.ToDictionary(s => s.SpanId);
        var chain = new List<OtlpSpan> { trainers.Single(t => t.Name == "trainer ppo") };
        while (byId.TryGetValue(chain[^1].ParentSpanId, out var parent))
        {
            chain.Add(parent);
        }

        Assert.Equal(
            ["trainer ppo", "submit ppo", "activity:SubmitJob", "activity:SubmitJob", "orchestration:RunTrainingJob", "orchestration:RunTrainingJob",
             "orchestration:RlhfRun", "create_orchestration:RlhfRun", root.Name],
            chain.Select(s => s.Name));
        Assert.Equal($"{RunId}:ppo", chain[4].Attributes["durabletask.task.instance_id"]);
        Assert.Equal("ppo", chain[4].Attributes["rlhf.step"]);

        // Every orchestration and activity of the run is there.
        var names = spans.Select(s => s.Name).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "orchestration:CollectSamples", "orchestration:LabelComparisons", "activity:PrepareLabelBatches", "activity:LabelBatch",
                "activity:MergePreferences", "activity:GetJobStatus", "activity:PublishIfBetter", "activity:WriteRunManifest",
                "submit sft", "submit sample", "submit reward", "submit evaluate",
            },
            names);

        await AssertMetricsAsync(host);
    }

    /// <summary>A metric of each kind: stage durations and labels from the host, jobs running, queue wait and job durations from the trainers.</summary>
    private async Task AssertMetricsAsync(LocalHostHandle host)
    {
        var hostMetrics = _hostMetrics.ToList();
        var stages = Points(hostMetrics, "rlhf.stage.duration", MetricType.Histogram).Select(p => (string)p.Tags["rlhf.stage"]!).ToList();
        Assert.Equal(["base-policy", "evaluate", "labels", "policy", "publish", "reward", "samples"], stages.Order(StringComparer.Ordinal));

        // as many labels as the run's label files hold
        var store = host.Services.GetRequiredService<IArtifactStore>();
        var (batches, records) = (0, 0);
        await foreach (var path in store.ListAsync($"runs/{RunId}/labels/batch-"))
        {
            if (!path.EndsWith(".jsonl", StringComparison.Ordinal))
            {
                continue; // the batch's summary
            }

            batches++;
            records += Encoding.UTF8.GetString((await store.ReadAsync(path)).ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }

        var labels = Assert.Single(Points(hostMetrics, "rlhf.labeling.labels", MetricType.LongSum));
        Assert.Equal(("simulated", (long)records), ((string)labels.Tags["rlhf.labeling.mode"]!, labels.Value));
        Assert.True(records > 0);
        Assert.Equal(batches, Assert.Single(Points(hostMetrics, "rlhf.labeling.throughput", MetricType.Histogram)).Value); // one rate per batch
        Assert.NotEmpty(Points(hostMetrics, "http.server.request.duration", MetricType.Histogram));

        var trainerMetrics = _trainers!.Metrics;
        var running = trainerMetrics.Where(m => m.Name == "rlhf.jobs.running").ToList();
        Assert.All(running, m => Assert.Equal(("sum", "{job}"), (m.Kind, m.Unit)));
        // each trainer counted itself in and out: 0 running per verb once all have exited
        Assert.All(running.SelectMany(m => m.Points), p => Assert.Equal(0, p.Value));
        var waits = trainerMetrics.Where(m => m.Name == "rlhf.job.queue.wait_time").ToList();
        Assert.All(waits, m => Assert.Equal(("histogram", "s"), (m.Kind, m.Unit)));
        Assert.Equal(5, waits.SelectMany(m => m.Points).Sum(p => p.Value));
        var durations = trainerMetrics.Where(m => m.Name == "rlhf.job.duration").SelectMany(m => m.Points).ToList();
        Assert.Equal(5, durations.Where(p => (string)p.Attributes["rlhf.job.outcome"] == "succeeded").Sum(p => p.Value));
        Assert.Equal(["evaluate", "ppo", "reward", "sample", "sft"], durations.Select(p => (string)p.Attributes["rlhf.job.verb"]).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>The points of the in-memory metric <paramref name="name"/> (of type <paramref name="type"/>): tags and the sum's value or the histogram's count.</summary>
    private static List<(Dictionary<string, object?> Tags, double Value)> Points(List<Metric> metrics, string name, MetricType type)
    {
        var points = new List<(Dictionary<string, object?>, double)>();
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            Assert.Equal(type, metric.MetricType);
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                points.Add((tags, type switch
                {
                    MetricType.Histogram => point.GetHistogramCount(),
                    MetricType.LongSum => point.GetSumLong(),
                    _ => point.GetSumDouble(),
                }));
            }
        }

        return points;
    }

    private static OtlpSpan FromActivity(Activity a) => new(
        "rlhf-serve", a.Source.Name, a.TraceId.ToHexString(), a.SpanId.ToHexString(),
        a.ParentSpanId == default ? "" : a.ParentSpanId.ToHexString(), a.DisplayName, (int)a.Kind + 1,
        a.TagObjects.Where(t => t.Value is not null).ToDictionary(t => t.Key, t => t.Value!),
        [.. a.Events.Select(e => new OtlpEvent(e.Name, e.Tags.Where(t => t.Value is not null).ToDictionary(t => t.Key, t => t.Value!)))],
        (int)a.Status)
    {
        Start = a.StartTimeUtc,
        End = a.StartTimeUtc + a.Duration,
    };

    /// <summary>The spans as an indented tree (roots first, children in start order), for the test log.</summary>
    private static string Tree(IReadOnlyList<OtlpSpan> spans)
    {
        var text = new StringBuilder();
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var children = spans.ToLookup(s => s.ParentSpanId);
        var t0 = spans.Min(s => s.Start);
        void Write(OtlpSpan span, int depth)
        {
            text.Append(new string(' ', depth * 2)).Append(span.Name).Append("  [").Append(span.Service).Append(' ').Append(span.TraceId[..8])
                .Append(CultureInfo.InvariantCulture, $" +{(span.Start - t0).TotalSeconds:0.0}s {(span.End - span.Start).TotalSeconds:0.00}s] ");
            text.AppendLine(string.Join(", ", span.Attributes.Where(a => a.Key.StartsWith("rlhf.", StringComparison.Ordinal)).Select(a => $"{a.Key}={a.Value}")));
            foreach (var child in children[span.SpanId])
            {
                Write(child, depth + 1);
            }
        }

        foreach (var root in spans.Where(s => !ids.Contains(s.ParentSpanId)))
        {
            Write(root, 0);
        }

        return text.ToString();
    }
}

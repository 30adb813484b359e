using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Api.Report;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.Tests.Hosting;

namespace Rlhf.Api.Tests.Report;

/// <summary>
/// Writes a run's step artifacts in the trainer's formats (metrics.jsonl lines <c>{"step":n,"key":v}</c> with non-finite
/// values as strings, <see cref="JobStatus"/> heartbeats, <see cref="StepManifest"/>s, the evaluate step's
/// <c>evaluation.json</c> and <c>samples.jsonl</c>) with known values, and the matching <see cref="RunDetail"/>.
/// </summary>
internal sealed class ReportRunWriter(IArtifactStore store, string runId)
{
    /// <summary>PPO iterations 1..12; the peak score is at iteration 7.</summary>
    public static readonly double[] PpoScores = [0.10, 0.25, 0.31, 0.42, 0.48, 0.55, 0.91, 0.60, 0.62, 0.58, 0.66, 0.70];

    /// <summary>Per-iteration KL; the first is a negative k1 batch mean, clamped to 0 under the root.</summary>
    public static readonly double[] PpoKl = [-0.05, 0.5, 1.1, 1.8, 2.4, 3.2, 4.0, 4.9, 5.5, 6.3, 7.2, 8.1];

    public static readonly double[] PpoGold = [0.10, 0.14, 0.19, 0.22, 0.26, 0.27, 0.29, 0.28, 0.26, 0.24, 0.21, 0.18];

    public const string ScriptSample = "<script>alert('x')</script> & more";

    private static readonly DateTime Start = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public string RunId => runId;

    /// <summary>A completed sft → reward → ppo → evaluate run whose evaluation raised <c>reward_hacking</c>.</summary>
    public async Task WriteCompletedRunAsync()
    {
        await WriteSftAsync();
        await WriteRewardAsync(complete: true);
        var ppo = Enumerable.Range(0, PpoScores.Length).Select(i => Line(i + 1, new()
        {
            ["objective/scores"] = PpoScores[i],
            ["objective/rlhf_reward"] = PpoScores[i] - (0.05 * PpoKl[i]),
            ["objective/kl"] = PpoKl[i],
            ["objective/kl_k3"] = i == 2 ? double.NaN : PpoKl[i] * 0.9,
            ["objective/entropy"] = 30 - i,
            ["objective/kl_coef"] = 0.05 + (0.001 * i),
            ["objective/gold"] = PpoGold[i],
            ["policy/approxkl"] = 0.01,
        })).ToList();
        await WriteStepAsync("ppo", ppo, complete: true);
        await WriteEvaluationAsync();
    }

    /// <summary>A completed sft → reward → grpo → evaluate run whose GRPO step weighed three reward sources.</summary>
    public async Task WriteCompletedGrpoRunAsync()
    {
        await WriteSftAsync();
        await WriteRewardAsync(complete: true);
        var grpo = Enumerable.Range(0, 8).Select(i => Line(i + 1, new()
        {
            ["reward"] = 0.1 * i,
            ["reward_std_within_group"] = 0.5 - (0.05 * i),
            ["frac_reward_zero_std"] = i < 4 ? 0 : 0.25,
            ["objective/kl"] = 0.4 * i,
            ["objective/gold"] = 0.2 + (0.01 * i),
            ["rewards/rm/mean"] = 0.1 * i,
            ["rewards/eos_bonus/mean"] = 0.3 + (0.05 * i),
            ["rewards/gold_plainness/mean"] = 0.2,
        })).ToList();
        await WriteStepAsync("grpo", grpo, complete: true);
        await WriteEvaluationAsync();
    }

    /// <summary>A run still fitting its reward model: sft complete, reward running with one checkpoint (steps 0..6).</summary>
    public async Task WriteRunningRunAsync()
    {
        await WriteSftAsync();
        await WriteRewardAsync(complete: false);
    }

    public RunDetail Detail(string runtimeStatus, string stage)
    {
        var finished = runtimeStatus is "Completed" or "Failed" or "Terminated";
        StageView[] stages =
        [
            new("base-policy", Start, Start.AddSeconds(95)),
            new("samples", Start.AddSeconds(95), Start.AddSeconds(130)),
            new("labels", Start.AddSeconds(130), Start.AddSeconds(150)),
            new("reward", Start.AddSeconds(150), finished ? Start.AddSeconds(260) : null),
        ];
        if (finished)
        {
            stages = [.. stages, new("policy", Start.AddSeconds(260), Start.AddSeconds(500)), new("evaluate", Start.AddSeconds(500), Start.AddSeconds(560))];
        }

        var uri = $"http://localhost:7071/api/runs/{runId}";
        return new RunDetail
        {
            Id = runId,
            Kind = "RlhfRun",
            RuntimeStatus = runtimeStatus,
            IsFinished = finished,
            CreatedAt = Start,
            LastUpdatedAt = Start.AddSeconds(finished ? 560 : 200),
            Stage = stage,
            Done = finished ? 7 : 3,
            Total = 7,
            Progress = finished ? 1 : 3 / 7.0,
            Metrics = new Dictionary<string, double> { [MetricKeys.Gold] = 0.18, [MetricKeys.WinRate] = 0.4 },
            Stages = stages,
            Links = new RunLinks(runId, uri, $"{uri}/cancel", uri, $"{uri}/report"),
        };
    }

    /// <summary>The orchestration input as the local worker serialises it (PascalCase), holding the repo's tiny spec (with another policy algorithm when given).</summary>
    public string SerializedInput(string? algorithm = null)
    {
        var spec = JsonNode.Parse(LocalHostFixture.TinySpec, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        if (algorithm is not null)
        {
            spec["policy"]!["algorithm"] = algorithm;
        }

        return new JsonObject { [nameof(RunId)] = runId, ["Spec"] = spec, ["Store"] = "file:///tmp/store" }.ToJsonString();
    }

    public static string Svg(string html, string chartId)
    {
        var start = html.IndexOf($"data-chart=\"{chartId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no <svg> for chart {chartId}");
        return html[start..html.IndexOf("</svg>", start, StringComparison.Ordinal)];
    }

    private async Task WriteSftAsync()
    {
        var lines = new List<string> { Line(0, new() { ["sft/heldout_loss"] = 5.5 }) };
        for (var step = 1; step <= 40; step++)
        {
            var metrics = new Dictionary<string, double> { ["sft/loss"] = 5.5 - (0.06 * step), ["sft/lr"] = 1e-3 };
            if (step % 20 == 0)
            {
                metrics["sft/heldout_loss"] = 5.5 - (0.05 * step);
            }

            lines.Add(Line(step, metrics));
        }

        await WriteStepAsync("sft", lines, complete: true);
    }

    private async Task WriteRewardAsync(bool complete)
    {
        var lines = new List<string> { Line(0, new() { ["rm/heldout_loss"] = 0.693, ["rm/heldout_accuracy"] = 0.5 }) };
        for (var step = 1; step <= (complete ? 10 : 6); step++)
        {
            var metrics = new Dictionary<string, double> { ["rm/loss"] = 0.69 - (0.03 * step), ["rm/accuracy"] = 0.5 + (0.03 * step) };
            if (step % 5 == 0)
            {
                metrics["rm/heldout_loss"] = 0.69 - (0.02 * step);
                metrics["rm/heldout_accuracy"] = 0.5 + (0.02 * step);
            }

            lines.Add(Line(step, metrics));
        }

        if (!complete)
        {
            // A running job: the heartbeat and a checkpoint's copy of the log, no final metrics.jsonl or manifest.
            await store.PutAsync($"runs/{runId}/reward/checkpoints/step-000006/metrics.jsonl", Encoding.UTF8.GetBytes(string.Concat(lines)));
            await WriteStatusAsync("reward", JobState.Running, 6, 10);
            return;
        }

        await WriteStepAsync("reward", lines, complete: true);
    }

    private async Task WriteStepAsync(string step, IReadOnlyList<string> lines, bool complete)
    {
        var prefix = $"runs/{runId}/{step}";
        var metrics = await store.PutAsync($"{prefix}/metrics.jsonl", Encoding.UTF8.GetBytes(string.Concat(lines)));
        var model = await store.PutAsync($"{prefix}/model/model.safetensors", Encoding.UTF8.GetBytes($"weights of {step}"));
        await WriteStatusAsync(step, complete ? JobState.Succeeded : JobState.Running, lines.Count - 1, lines.Count - 1);
        if (complete)
        {
            await ManifestWriter.WriteAsync(store, prefix, ManifestWriter.Build(step, "test", [], [model, metrics], runId: runId));
        }
    }

    private Task<bool> WriteStatusAsync(string step, JobState state, long done, long total) =>
        store.OverwriteJsonAsync($"runs/{runId}/{step}/status.json", new JobStatus
        {
            JobId = $"{runId}-{step}",
            Verb = step,
            State = state,
            Attempt = 1,
            Step = done,
            TotalSteps = total,
            Message = state == JobState.Succeeded ? "succeeded" : null,
        });

    private async Task WriteEvaluationAsync()
    {
        const string evaluation = """
            {
              "metrics": {
                "eval/reward": 0.62, "eval/ref_reward": 0.05, "eval/kl": 6.4, "eval/kl_k3": 5.9, "eval/win_rate": 0.375,
                "eval/entropy": 1.9, "eval/ref_entropy": 2.3, "eval/response_tokens": 14.5, "eval/ref_response_tokens": 12.25,
                "eval/eos_fraction": 0.5, "eval/distinct_1": 0.41, "eval/distinct_2": 0.77, "eval/ref_distinct_1": 0.52, "eval/ref_distinct_2": 0.88,
                "eval/gold/sentiment": 0.02, "eval/ref_gold/sentiment": 0.09,
                "eval/gold": 0.18, "eval/ref_gold": 0.26, "eval/gold_std": 0.11, "eval/ref_gold_std": 0.12
              },
              "flags": [
                { "name": "reward_hacking", "value": 0.08, "threshold": 0.02, "message": "reward model score rose by 0.570 over the reference while gold fell by 0.080" },
                { "name": "reward_hacking_term", "value": 0.07, "threshold": 0.02, "message": "reward model score rose by 0.570 while gold/sentiment fell by 0.070", "term": "gold/sentiment" }
              ],
              "prompts": 6, "samplesPerPrompt": 2, "winRateBy": "gold",
              "samples": [
                { "promptId": "p9", "prompt": "A drawn prompt", "index": 0, "policy": "the a a of the <b>salad</b>", "reference": "a plain answer.",
                  "policyReward": 0.9, "referenceReward": 0.1, "policyGold": 0.31, "referenceGold": 0.52, "kl": 4.0 }
              ]
            }
            """;
        await store.PutAsync($"runs/{runId}/evaluate/evaluation.json", Encoding.UTF8.GetBytes(evaluation));
        var samples = Enumerable.Range(0, 12).Select(i => JsonSerializer.Serialize(new EvaluationSample(
            $"p{i / 2}", $"Prompt number {i / 2} opens", i % 2,
            i == 3 ? ScriptSample : $"tuned text {i}", $"reference text {i}",
            0.5 + (0.01 * i), 0.01 * i, 0.2, 0.25, 1.5 + i), JsonDefaults.Options) + "\n");
        var samplesRef = await store.PutAsync($"runs/{runId}/evaluate/samples.jsonl", Encoding.UTF8.GetBytes(string.Concat(samples)));
        await WriteStatusAsync("evaluate", JobState.Succeeded, 6, 6);
        await ManifestWriter.WriteAsync(store, $"runs/{runId}/evaluate", ManifestWriter.Build("evaluate", "test", [], [samplesRef], runId: runId));
    }

    /// <summary>One metrics.jsonl line as the trainer's <c>MetricsLog.FormatLine</c> writes it.</summary>
    private static string Line(long step, Dictionary<string, double> metrics)
    {
        var line = new StringBuilder("{\"step\":").Append(step);
        foreach (var (key, value) in metrics)
        {
            line.Append(",\"").Append(key).Append("\":").Append(double.IsFinite(value)
                ? value.ToString("R", CultureInfo.InvariantCulture)
                : $"\"{value.ToString(CultureInfo.InvariantCulture)}\"");
        }

        return line.Append("}\n").ToString();
    }
}

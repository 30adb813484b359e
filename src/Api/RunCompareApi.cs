using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Rlhf.Api.Report;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;
using Rlhf.Core.Runs;

namespace Rlhf.Api;

/// <summary>
/// Run comparison: <c>GET /api/runs/compare?ids=A,B[,C…]</c> (JSON, <see cref="RunComparison"/>) and
/// <c>GET /api/runs/compare/report?ids=…</c> (an HTML page with the runs' curves overlaid, <see cref="ComparePage"/>).
/// <c>ids</c> takes 2 to <see cref="MaxRuns"/> distinct run ids, comma-separated or repeated; anything else is a 400 naming <c>?ids</c>.
/// </summary>
public static class RunCompareApi
{
    public const int MaxRuns = 8;

    /// <summary>The metrics compared, in display order (those no run has are left out).</summary>
    private static readonly (string Key, string Label)[] KeyMetrics =
    [
        (MetricKeys.GoldAgreement, "label agreement with gold"),
        ("rm/heldout_accuracy", "RM held-out accuracy"),
        ("objective/scores", "final PPO reward (RM score)"),
        ("reward", "final reward (GRPO/RLOO)"),
        ("objective/kl", "final training KL"),
        ("rewards/accuracies", "final DPO accuracy"),
        (MetricKeys.Reward, "eval reward"),
        (MetricKeys.Kl, "eval KL"),
        (MetricKeys.Gold, "eval gold"),
        (MetricKeys.WinRate, "eval win rate vs SFT"),
    ];

    public static async Task<IResult> CompareAsync(
        HttpRequest request, DurableTaskClient client, IArtifactStore store, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        var (runs, problem) = await LoadAsync(request, client, store, clock, cancellationToken);
        return problem ?? Results.Json(Compare(runs) with { ReportUri = ReportUri(request, runs.Select(r => r.Run.Id)) }, JsonDefaults.Options);
    }

    public static async Task<IResult> ReportAsync(
        HttpRequest request, DurableTaskClient client, IArtifactStore store, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        var (runs, problem) = await LoadAsync(request, client, store, clock, cancellationToken);
        return problem ?? SecurityHeaders.Html(ComparePage.Render(Compare(runs), runs, ReportFonts.Current), SecurityHeaders.ReportPolicy);
    }

    /// <summary>Absolute URL of the comparison page of <paramref name="ids"/> under the API's public base.</summary>
    public static string ReportUri(HttpRequest request, IEnumerable<string> ids) =>
        $"{PublicBase.Of(request)}/api/runs/compare/report?ids={string.Join(',', ids.Select(Uri.EscapeDataString))}";

    /// <summary>The runs of <c>?ids=</c>, in the order given, or the 400/404 to answer.</summary>
    public static (IReadOnlyList<string> Ids, ApiError? Error) ParseIds(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ids = query["ids"].SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        if (ids.Count < 2 || ids.Count > MaxRuns)
        {
            return (ids, new ApiError("?ids", $"Give 2 to {MaxRuns} run ids, comma-separated (got {ids.Count})."));
        }

        if (ids.FirstOrDefault(id => RunIds.FindError(id) is not null) is { } bad)
        {
            return (ids, new ApiError("?ids", $"'{(bad.Length > 80 ? bad[..80] + "…" : bad)}' is not a run id: {RunIds.FindError(bad)}"));
        }

        return ids.GroupBy(id => id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? (ids, new ApiError("?ids", $"'{twice.Key}' is given twice."))
            : (ids, null);
    }

    private static async Task<(IReadOnlyList<RunReportData> Runs, IResult? Problem)> LoadAsync(
        HttpRequest request, DurableTaskClient client, IArtifactStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(clock);
        var (ids, error) = ParseIds(request.Query);
        if (error is not null)
        {
            return ([], ApiProblem.BadRequest("Invalid query", [error]));
        }

        var runs = new List<RunReportData>();
        foreach (var id in ids)
        {
            if (await RunsApi.FindRunAsync(id, client, cancellationToken) is not { } metadata)
            {
                return ([], RunsApi.UnknownRun(id));
            }

            var detail = await RunStatusReader.ToLiveDetailAsync(request, metadata, store, client, clock.GetUtcNow(), cancellationToken);
            runs.Add(await RunReportLoader.LoadAsync(detail, metadata.SerializedInput, store, cancellationToken));
        }

        return (runs, null);
    }

    /// <summary>Metrics side by side with deltas from the first run, and the spec settings that differ.</summary>
    public static RunComparison Compare(IReadOnlyList<RunReportData> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var compared = runs.Select(r => new ComparedRun(
            r.Run.Id, r.Run.RuntimeStatus, r.SpecValue("policy.algorithm"),
            int.TryParse(r.SpecValue("seed"), System.Globalization.CultureInfo.InvariantCulture, out var seed) ? seed : null,
            r.Run.WallSeconds, r.Run.Links.ReportUri)).ToList();
        var metrics = new List<ComparedMetric>();
        foreach (var (key, label) in KeyMetrics)
        {
            var values = runs.Select(r => r.Run.Metrics.TryGetValue(key, out var v) && double.IsFinite(v) ? v : (double?)null).ToList();
            if (values.Any(v => v is not null))
            {
                metrics.Add(new ComparedMetric(key, label, values, [.. values.Select((v, i) => i == 0 || v is null || values[0] is null ? null : v - values[0])]));
            }
        }

        var wall = runs.Select(r => (double?)r.Run.WallSeconds).ToList();
        metrics.Add(new ComparedMetric("wallSeconds", "wall time (s)", wall, [.. wall.Select((v, i) => i == 0 ? null : v - wall[0])]));
        return new RunComparison(compared, metrics, Differences(runs));
    }

    private static List<SpecDifference> Differences(IReadOnlyList<RunReportData> runs)
    {
        var flat = runs.Select(r => Flatten(r.Spec)).ToList();
        return [.. flat.SelectMany(f => f.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Where(path => path != "$.name" && flat.Select(f => f.GetValueOrDefault(path)).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(path => new SpecDifference(path, [.. flat.Select(f => f.GetValueOrDefault(path))]))];
    }

    /// <summary>Leaf values of the spec by JSON path (<c>$.policy.ppo.learningRate</c>), as JSON text.</summary>
    private static Dictionary<string, string> Flatten(JsonNode? spec)
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        Walk(value, $"{path}.{key}");
                    }

                    break;
                case null:
                    break;
                default:
                    leaves[path] = node.ToJsonString(JsonDefaults.Options);
                    break;
            }
        }

        Walk(spec, "$");
        return leaves;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Json;
using Rlhf.Core.Labeling;
using Rlhf.Core.Runs;

namespace Rlhf.Api.Report;

/// <summary>
/// Reads a run's artifacts for the report: one listing of <c>runs/{id}/</c>, then per step (a folder holding
/// <c>status.json</c>, <c>manifest.json</c> or <c>metrics.jsonl</c>) its heartbeat, manifest and metrics, then the evaluation. Missing
/// artifacts are simply absent (a running or failed run shows what exists); unreadable ones become
/// <see cref="RunReportData.Problems"/> instead of failing the page.
/// </summary>
public static class RunReportLoader
{
    /// <summary>How many lines of <c>evaluate/samples.jsonl</c> the sample table shows.</summary>
    public const int SampleRows = 10;

    public const string EvaluateStep = Rlhf.Core.Runs.StepNames.Evaluate;

    /// <summary>Files that mark a folder as a trainer step's output (or, <c>reused.json</c>, a step taken from an earlier run).</summary>
    private static readonly string[] StepFiles = ["/status.json", "/" + StepManifest.FileName, "/metrics.jsonl", "/reused.json"];

    /// <summary>Steps in pipeline order; others (e.g. sample shards) sort by their rank here, then by name.</summary>
    private static readonly IReadOnlyList<string> StepOrder = Rlhf.Core.Runs.StepNames.InOrder;

    /// <param name="run">The run's status view.</param>
    /// <param name="serializedInput">The orchestration input (an <c>RlhfRunInput</c> holding the spec), if any.</param>
    public static async Task<RunReportData> LoadAsync(RunDetail run, string? serializedInput, IArtifactStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(store);
        var reader = new Reader(store, $"runs/{run.Id}/");
        var paths = await reader.ListAsync(cancellationToken);
        await reader.FollowReusedStepsAsync(paths, cancellationToken);
        var steps = new List<StepReport>();
        foreach (var step in StepNames(paths, reader.Prefix))
        {
            steps.Add(await reader.StepAsync(step, paths, cancellationToken));
        }

        var evaluation = await reader.JsonAsync<EvaluationView>($"{EvaluateStep}/evaluation.json", cancellationToken);
        var samples = await reader.SamplesAsync($"{EvaluateStep}/samples.jsonl", cancellationToken);
        var agreement = await reader.AgreementAsync(reader.SourceOf(Rlhf.Core.Runs.StepNames.Labels) ?? run.Id, cancellationToken);
        var labels = await reader.JsonAsync<PreferenceSummary>("labels/preferences.summary.json", cancellationToken);
        var publish = await reader.JsonAsync<PublishResult>("publish/decision.json", cancellationToken);
        var constitutionalAi = await reader.JsonAsync<Rlhf.Activities.Constitution.CaiSummary>("sl-cai/summary.json", cancellationToken);
        var spec = Normalize(SpecFromInput(serializedInput) ?? (await reader.JsonAsync<StepManifest>(StepManifest.FileName, cancellationToken))?.Spec);
        var artifacts = run.Artifacts.Select(a => new ArtifactRef(a.Path, a.Sha256, a.Bytes))
            .Concat(steps.SelectMany(s => s.Manifest?.Outputs ?? []))
            .Where(a => a.Path.StartsWith(reader.Prefix, StringComparison.Ordinal))
            .DistinctBy(a => a.Path)
            .OrderBy(a => a.Path, StringComparer.Ordinal)
            .ToList();
        return new RunReportData
        {
            Run = run,
            Spec = spec,
            Steps = steps,
            Evaluation = evaluation,
            Samples = samples,
            Agreement = agreement,
            Labels = labels,
            Publish = publish,
            ConstitutionalAi = constitutionalAi,
            Artifacts = artifacts,
            Problems = reader.Problems,
        };
    }

    /// <summary>Folders (relative to the run, checkpoints aside) that hold a step's status, manifest or metrics, in pipeline order.</summary>
    private static IEnumerable<string> StepNames(IReadOnlyList<string> paths, string prefix) =>
        paths.Select(p => p[prefix.Length..])
            .Where(p => StepFiles.Any(f => p.EndsWith(f, StringComparison.Ordinal)))
            .Select(p => p[..p.LastIndexOf('/')])
            .Where(p => !p.Split('/').Contains("checkpoints"))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(Rank)
            .ThenBy(p => p.Length)
            .ThenBy(p => p, StringComparer.Ordinal);

    private static int Rank(string step)
    {
        var index = StepOrder.ToList().IndexOf(step.Split('/')[0]);
        return index < 0 ? StepOrder.Count : index;
    }

    /// <summary>The <c>spec</c> property of the orchestration input (PascalCase from the local worker, camelCase from Functions).</summary>
    private static JsonNode? SpecFromInput(string? serializedInput)
    {
        if (string.IsNullOrWhiteSpace(serializedInput))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(serializedInput) is JsonObject input
                ? input.FirstOrDefault(p => string.Equals(p.Key, "spec", StringComparison.OrdinalIgnoreCase)).Value?.DeepClone()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The spec as the API reads it (camelCase, enums by name, defaults filled in), whatever converter wrote the
    /// orchestration input; as found when it does not bind to <see cref="RunSpec"/>.
    /// </summary>
    private static JsonNode? Normalize(JsonNode? spec)
    {
        try
        {
            return spec.Deserialize<RunSpec>(JsonDefaults.Options) is { } bound ? JsonSerializer.SerializeToNode(bound, JsonDefaults.Options) : spec;
        }
        catch (JsonException)
        {
            return spec;
        }
    }

    /// <summary>Reads under the run's prefix, collecting problems rather than throwing.</summary>
    private sealed class Reader(IArtifactStore store, string prefix)
    {
        public string Prefix { get; } = prefix;

        public List<string> Problems { get; } = [];

        public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
        {
            var paths = new List<string>();
            try
            {
                await foreach (var path in store.ListAsync(Prefix, cancellationToken))
                {
                    paths.Add(path);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Problems.Add($"Could not list the run's artifacts under {Prefix}: {ex.Message}");
            }

            return paths;
        }

        /// <summary>Step folder → the run whose completed step this run reused (<c>{step}/reused.json</c>); its files are read there.</summary>
        private readonly Dictionary<string, string> _reused = new(StringComparer.Ordinal);

        public async Task FollowReusedStepsAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
        {
            foreach (var path in paths.Where(p => p.EndsWith("/reused.json", StringComparison.Ordinal)))
            {
                var step = path[Prefix.Length..^"/reused.json".Length];
                if (await JsonAsync<Activities.Reuse.ReusedStepRecord>($"{step}/reused.json", cancellationToken) is { } reused)
                {
                    _reused[step] = reused.FromRun;
                }
            }
        }

        /// <summary>The run <paramref name="step"/> was reused from, or null.</summary>
        public string? SourceOf(string step) => _reused.GetValueOrDefault(step);

        public async Task<StepReport> StepAsync(string step, IReadOnlyList<string> paths, CancellationToken cancellationToken)
        {
            var status = await JsonAsync<JobStatus>($"{step}/status.json", cancellationToken);
            var manifest = await JsonAsync<StepManifest>($"{step}/{StepManifest.FileName}", cancellationToken);
            var (metrics, source) = SourceOf(step) is { } from
                ? (await ParseAsync($"{step}/metrics.jsonl", cancellationToken), $"metrics.jsonl of run {from}")
                : await MetricsAsync(step, paths, cancellationToken);
            return new StepReport(step) { Status = status, Manifest = manifest, Metrics = metrics, MetricsSource = source, ReusedFrom = SourceOf(step) };
        }

        /// <summary>
        /// The final <c>metrics.jsonl</c>; before the job finished, the longer of the newest checkpoint's copy and the
        /// newest failed attempt's log.
        /// </summary>
        private async Task<(StepMetrics? Metrics, string? Source)> MetricsAsync(string step, IReadOnlyList<string> paths, CancellationToken cancellationToken)
        {
            var folder = $"{Prefix}{step}/";
            if (paths.Contains($"{folder}metrics.jsonl"))
            {
                return (await ParseAsync($"{step}/metrics.jsonl", cancellationToken), "metrics.jsonl");
            }

            var candidates = new[]
            {
                paths.Where(p => p.StartsWith($"{folder}checkpoints/step-", StringComparison.Ordinal) && p.EndsWith("/metrics.jsonl", StringComparison.Ordinal)).Order(StringComparer.Ordinal).LastOrDefault(),
                paths.Where(p => p.StartsWith($"{folder}metrics/attempt-", StringComparison.Ordinal)).MaxBy(AttemptNumber),
            };
            (StepMetrics? Metrics, string? Source) best = (null, null);
            foreach (var path in candidates.OfType<string>())
            {
                var parsed = await ParseAsync(path[Prefix.Length..], cancellationToken);
                if (parsed is not null && parsed.Lines > (best.Metrics?.Lines ?? -1))
                {
                    best = (parsed, $"{path[folder.Length..]} (partial: the job has not finished)");
                }
            }

            return best;
        }

        private static int AttemptNumber(string path) =>
            int.TryParse(Path.GetFileNameWithoutExtension(path).AsSpan("attempt-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

        private async Task<StepMetrics?> ParseAsync(string relative, CancellationToken cancellationToken)
        {
            var bytes = await ReadAsync(relative, cancellationToken);
            if (bytes is null)
            {
                return null;
            }

            var metrics = StepMetrics.Parse(bytes);
            if (metrics.BadLines > 0)
            {
                Problems.Add($"{relative}: {metrics.BadLines} line(s) are not metric objects and were skipped.");
            }

            return metrics;
        }

        public async Task<T?> JsonAsync<T>(string relative, CancellationToken cancellationToken)
            where T : class
        {
            var bytes = await ReadAsync(relative, cancellationToken);
            try
            {
                return bytes is null ? null : ArtifactJson.Deserialize<T>(Prefix + relative, bytes);
            }
            catch (InvalidDataException ex)
            {
                Problems.Add(ex.Message);
                return null;
            }
        }

        /// <summary>Agreement analytics over the run's label files (<see cref="AgreementFiles.ForRunAsync"/>); null when they cannot be read.</summary>
        public async Task<AgreementReport?> AgreementAsync(string runId, CancellationToken cancellationToken)
        {
            try
            {
                return await AgreementFiles.ForRunAsync(store, runId, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Problems.Add($"Could not compute label agreement from {Prefix}labels/: {ex.Message}");
                return null;
            }
        }

        /// <summary>The first <see cref="SampleRows"/> lines of a samples file.</summary>
        public async Task<IReadOnlyList<EvaluationSample>> SamplesAsync(string relative, CancellationToken cancellationToken)
        {
            var bytes = await ReadAsync(relative, cancellationToken);
            var samples = new List<EvaluationSample>();
            var lines = bytes is null ? [] : Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var (line, number) in lines.Take(SampleRows).Select((l, i) => (l, i + 1)))
            {
                try
                {
                    samples.Add(JsonSerializer.Deserialize<EvaluationSample>(line, JsonDefaults.Options)!);
                }
                catch (JsonException ex)
                {
                    Problems.Add($"{Prefix}{relative} line {number}: {ex.Message}");
                }
            }

            return samples;
        }

        /// <summary>Where <paramref name="relative"/> is stored: under the run, or under the run its step was reused from.</summary>
        private string Locate(string relative)
        {
            var step = _reused.Keys.Where(s => relative.StartsWith(s + "/", StringComparison.Ordinal) && relative != $"{s}/reused.json").MaxBy(s => s.Length);
            return step is null ? Prefix + relative : $"runs/{_reused[step]}/{relative}";
        }

        private async Task<byte[]?> ReadAsync(string relative, CancellationToken cancellationToken)
        {
            try
            {
                return await store.ReadAsync(Locate(relative), cancellationToken);
            }
            catch (ArtifactNotFoundException)
            {
                return null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Problems.Add($"Could not read {Prefix}{relative}: {ex.Message}");
                return null;
            }
        }
    }
}

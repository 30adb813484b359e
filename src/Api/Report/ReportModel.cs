using System.Text.Json.Nodes;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Jobs;
using Rlhf.Core.Labeling;

namespace Rlhf.Api.Report;

/// <summary>A reward-hacking alarm as the evaluate job writes it in <c>evaluation.json</c>; <paramref name="Term"/> is the gold component it concerns, if any.</summary>
public sealed record EvaluationFlagView(string Name, double Value, double Threshold, string Message, string? Term = null);

/// <summary><c>evaluate/evaluation.json</c>: metrics (<c>eval/*</c>, policy and <c>eval/ref_*</c>), alarms and sizes.</summary>
public sealed record EvaluationView(
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<EvaluationFlagView> Flags,
    int Prompts,
    int SamplesPerPrompt,
    string? WinRateBy)
{
    /// <summary>The samples the evaluate job drew with the run's seed (absent in older <c>evaluation.json</c> files).</summary>
    public IReadOnlyList<EvaluationSample> Samples { get; init; } = [];
}

/// <summary>
/// What the store holds for one trainer step (<c>runs/{id}/{step}/</c>): its heartbeat, its manifest (present once the
/// step completed) and its metrics log, with where the log came from when the step has not finished.
/// </summary>
public sealed record StepReport(string Name)
{
    public JobStatus? Status { get; init; }
    public StepManifest? Manifest { get; init; }
    public StepMetrics? Metrics { get; init; }

    /// <summary>Where <see cref="Metrics"/> came from: <c>metrics.jsonl</c>, a checkpoint's copy or a failed attempt's log.</summary>
    public string? MetricsSource { get; init; }

    /// <summary>The run whose completed step this run reused (docs/reuse.md); the step's files are that run's.</summary>
    public string? ReusedFrom { get; init; }

    public bool IsComplete => Manifest is not null;
}

/// <summary>Everything the run report shows: the run's status, its spec, the steps found in the store and the evaluation.</summary>
public sealed record RunReportData
{
    public required RunDetail Run { get; init; }

    /// <summary>The run spec (from the orchestration input, else the run manifest); null when neither is readable.</summary>
    public JsonNode? Spec { get; init; }

    public IReadOnlyList<StepReport> Steps { get; init; } = [];
    public EvaluationView? Evaluation { get; init; }

    /// <summary>The first lines of <c>evaluate/samples.jsonl</c>.</summary>
    public IReadOnlyList<EvaluationSample> Samples { get; init; } = [];

    /// <summary>Agreement analytics over the run's labels (empty before labeling; null when the label files are unreadable).</summary>
    public AgreementReport? Agreement { get; init; }

    /// <summary><c>labels/preferences.summary.json</c>: the comparisons the reward model trained on, per run (night); null before the merge.</summary>
    public PreferenceSummary? Labels { get; init; }

    /// <summary><c>publish/decision.json</c>: the promotion gate's decision with both figures; null before (or without) publishing.</summary>
    public PublishResult? Publish { get; init; }

    /// <summary>The SL-CAI stage's summary (<c>sl-cai/summary.json</c>); null for runs without <c>constitution.supervised</c>.</summary>
    public Rlhf.Activities.Constitution.CaiSummary? ConstitutionalAi { get; init; }

    /// <summary>Every artifact the run's manifests list, plus those in its custom status, by path.</summary>
    public IReadOnlyList<ArtifactRef> Artifacts { get; init; } = [];

    /// <summary>Artifacts that exist but could not be read (malformed JSON, storage errors), shown on the page.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public StepReport? Step(string name) => Steps.FirstOrDefault(s => s.Name == name);

    /// <summary>The value at <paramref name="path"/> (dotted, camelCase) of the spec as text, or null.</summary>
    public string? SpecValue(string path)
    {
        JsonNode? node = Spec;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject obj ? obj.FirstOrDefault(p => string.Equals(p.Key, part, StringComparison.OrdinalIgnoreCase)).Value : null;
        }

        return node is JsonValue value ? value.ToString() : null;
    }
}

using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Rlhf.Core.Runs;

public enum LabelingMode
{
    /// <summary>Bradley–Terry annotator over the demo gold score (the truth is known).</summary>
    Simulated,

    /// <summary>An AI judge against a written constitution (RLAIF).</summary>
    Ai,

    /// <summary>People on the labeling page; the run waits durably for them.</summary>
    Human,

    /// <summary>A fraction of batches to humans, the rest to the AI judge.</summary>
    Mixed,
}

public enum HumanTimeoutPolicy
{
    /// <summary>Send a reminder and wait another timeout period (up to <see cref="HumanLabelingSpec.MaxReminders"/>).</summary>
    Remind,

    /// <summary>Label the batch with the AI judge instead.</summary>
    FallbackToAi,

    /// <summary>Fail the run.</summary>
    Fail,
}

public sealed record LabelingSpec
{
    /// <summary>simulated | ai | human | mixed.</summary>
    public LabelingMode Mode { get; init; } = LabelingMode.Simulated;

    /// <summary>Prompts (each with its K completions) per labeling batch.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; init; } = 16;

    /// <summary>Independent annotators per comparison; labels are aggregated by majority.</summary>
    [Range(1, 9)]
    public int AnnotatorsPerComparison { get; init; } = 1;

    /// <summary>Simulated annotator settings (mode simulated).</summary>
    public SimulatedLabelingSpec Simulated { get; init; } = new();

    /// <summary>AI judge settings (modes ai and mixed, and the human fallback).</summary>
    public AiLabelingSpec Ai { get; init; } = new();

    /// <summary>Human labeling settings (modes human and mixed).</summary>
    public HumanLabelingSpec Human { get; init; } = new();

    /// <summary>Share of batches sent to humans in mode mixed (routing by batch; ignored when <see cref="AiPrinciples"/> is set).</summary>
    [Range(0.0, 1.0)]
    public double HumanFraction { get; init; } = 0.25;

    /// <summary>
    /// Mode mixed, routing by principle (Constitutional AI: harmlessness by AI, helpfulness by people): the principles
    /// of <c>ai.principles</c> the AI judge labels on every batch, while people label every batch on the remaining
    /// ones; both sets of labels train the reward model. Empty: route whole batches by <see cref="HumanFraction"/>.
    /// </summary>
    public IReadOnlyList<string> AiPrinciples { get; init; } = [];

    /// <summary>
    /// Modes human and mixed: the AI judge also labels every human batch on the people's criteria into a side file
    /// (<c>labels/audit/</c>, never trained on), so the report can show judge–human agreement. With the Azure OpenAI
    /// judge this costs tokens.
    /// </summary>
    public bool AuditHumanBatches { get; init; } = true;

    /// <summary>Bounds the labels accumulated over nightly runs (last N nights, at most M comparisons); unbounded by default.</summary>
    public LabelWindowSpec Window { get; init; } = new();

    /// <summary>Whether mode mixed routes by principle (<see cref="AiPrinciples"/> set) rather than by batch.</summary>
    [JsonIgnore]
    public bool RoutesByPrinciple => Mode == LabelingMode.Mixed && AiPrinciples.Count > 0;
}

public sealed record SimulatedLabelingSpec
{
    /// <summary>Expected agreement of two independent annotators on a batch's pairs (the literature's 63–77 % band); sets the noise when temperature is null.</summary>
    [Range(0.5, 1.0, MinimumIsExclusive = true)]
    public double TargetAgreement { get; init; } = 0.73;

    /// <summary>Bradley–Terry temperature over gold-score differences; null = calibrate to targetAgreement.</summary>
    [Range(0.0, 1000.0, MinimumIsExclusive = true)]
    public double? Temperature { get; init; }

    /// <summary>
    /// The panel, each annotator with its own taste and biases (at most 9, names unique); every annotator votes on every
    /// comparison and the majority labels it. Empty = <c>annotatorsPerComparison</c> unbiased annotators with the settings above.
    /// </summary>
    public IReadOnlyList<SimulatedAnnotatorSpec> Annotators { get; init; } = [];
}

public sealed record AiLabelingSpec
{
    /// <summary>constitution (local, deterministic) | azureOpenAi | rouge (baseline).</summary>
    public AiJudgeKind Judge { get; init; } = AiJudgeKind.Constitution;

    /// <summary>Ask both orders and average, cancelling position bias.</summary>
    public bool BothOrders { get; init; } = true;

    /// <summary>Constitution document in the store (null = the built-in one).</summary>
    [StorePath]
    public string? Constitution { get; init; }

    /// <summary>The constitution's principles and their weights (0 = not judged).</summary>
    public PrinciplesSpec Principles { get; init; } = new();

    /// <summary>Azure OpenAI judge settings (judge azureOpenAi).</summary>
    public AzureOpenAiJudgeSpec AzureOpenAi { get; init; } = new();

    /// <summary>ROUGE-L baseline settings (judge rouge).</summary>
    public RougeJudgeSpec Rouge { get; init; } = new();
}

public enum AiJudgeKind
{
    Constitution,

    [JsonStringEnumMemberName("azureOpenAi")]
    AzureOpenAi,

    /// <summary>Baseline: the completion with the higher ROUGE-L F1 against the prompt's reference continuation.</summary>
    Rouge,
}

/// <summary>Weights of the constitution's principles; a principle with weight 0 is not judged.</summary>
public sealed record PrinciplesSpec
{
    /// <summary>On-topic, plain words, coherent (no word salad, no repetition).</summary>
    [Range(0.0, 100.0)]
    public double Helpful { get; init; } = 1.0;

    /// <summary>No harsh words.</summary>
    [Range(0.0, 100.0)]
    public double Harmless { get; init; } = 1.0;

    /// <summary>Measured, warm statements (sentiment).</summary>
    [Range(0.0, 100.0)]
    public double Honest { get; init; } = 0.5;

    /// <summary>Kind wording (sentiment).</summary>
    [Range(0.0, 100.0)]
    public double Kind { get; init; }

    /// <summary>The same weights with every principle not in <paramref name="names"/> set to 0.</summary>
    public PrinciplesSpec Only(IEnumerable<string> names)
    {
        var keep = names.ToHashSet(StringComparer.Ordinal);
        return new PrinciplesSpec
        {
            Helpful = keep.Contains("helpful") ? Helpful : 0,
            Harmless = keep.Contains("harmless") ? Harmless : 0,
            Honest = keep.Contains("honest") ? Honest : 0,
            Kind = keep.Contains("kind") ? Kind : 0,
        };
    }

    /// <summary>The same weights with the principles in <paramref name="names"/> set to 0.</summary>
    public PrinciplesSpec Without(IEnumerable<string> names)
    {
        var drop = names.ToHashSet(StringComparer.Ordinal);
        return Only(Names.Where(n => !drop.Contains(n)));
    }

    /// <summary>The constitution's principles, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["helpful", "harmless", "honest", "kind"];

    /// <summary>The judged principles (weight &gt; 0) in constitution order: helpful, harmless, honest, kind.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Weighted() =>
        new KeyValuePair<string, double>[] { new("helpful", Helpful), new("harmless", Harmless), new("honest", Honest), new("kind", Kind) }
            .Where(p => p.Value > 0)
            .ToList();
}

public sealed record AzureOpenAiJudgeSpec
{
    /// <summary>
    /// Name of one of the host's judge deployments (<c>Rlhf:Labeling:JudgeDeployments</c>), checked at submission. The
    /// host's configuration holds the endpoint, the model deployment and the credential: a spec never chooses where a
    /// request goes or which secret it carries.
    /// </summary>
    [IdentifierName]
    public string? Deployment { get; init; }

    /// <summary>Attempts per request on 429 and 5xx (exponential backoff, Retry-After respected).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; init; } = 6;

    /// <summary>First backoff delay; doubles per attempt when the service gives no Retry-After.</summary>
    [Range(0, 600_000)]
    public int InitialBackoffMs { get; init; } = 1_000;

    /// <summary>Requests in flight per batch.</summary>
    [Range(1, 64)]
    public int MaxConcurrency { get; init; } = 4;

    [Range(16, 16_384)]
    public int MaxOutputTokens { get; init; } = 512;
}

public sealed record RougeJudgeSpec
{
    /// <summary>Reference continuations, JSON Lines of <c>{"id","prompt","reference"}</c> keyed by prompt id.</summary>
    [StorePath]
    public string References { get; init; } = "datasets/tiny/references.jsonl";
}

public sealed record HumanLabelingSpec
{
    /// <summary>How long a batch waits for its labels before <see cref="OnTimeout"/> applies (fractions allowed).</summary>
    [Range(0.01, 60 * 24 * 30)]
    public double TimeoutMinutes { get; init; } = 60 * 24;

    /// <summary>remind | fallbackToAi | fail.</summary>
    public HumanTimeoutPolicy OnTimeout { get; init; } = HumanTimeoutPolicy.FallbackToAi;

    /// <summary>Reminders sent, one per timeout period, before the batch fails (policy remind).</summary>
    [Range(0, 100)]
    public int MaxReminders { get; init; } = 2;

    /// <summary>
    /// Name of the app setting (environment variable) holding a webhook URL that reminders are posted to as
    /// <c>{"text": ...}</c> JSON (Slack, Teams and most chat webhooks take it); null: reminders are only recorded.
    /// A setting, not the URL itself, because webhook URLs are secrets and run specs are not.
    /// </summary>
    [SettingName]
    public string? NotifyUrlSetting { get; init; }
}

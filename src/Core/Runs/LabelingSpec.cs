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

    /// <summary>Share of batches sent to humans in mode mixed.</summary>
    [Range(0.0, 1.0)]
    public double HumanFraction { get; init; } = 0.25;
}

public sealed record SimulatedLabelingSpec
{
    /// <summary>Expected agreement of the annotator with the gold ordering (the literature's 63–77 % band); sets the noise when temperature is null.</summary>
    [Range(0.5, 1.0, MinimumIsExclusive = true)]
    public double TargetAgreement { get; init; } = 0.73;

    /// <summary>Bradley–Terry temperature over gold-score differences; null = calibrate to targetAgreement.</summary>
    [Range(0.0, 1000.0, MinimumIsExclusive = true)]
    public double? Temperature { get; init; }
}

public sealed record AiLabelingSpec
{
    /// <summary>constitution (local, deterministic) | azureOpenAi.</summary>
    public AiJudgeKind Judge { get; init; } = AiJudgeKind.Constitution;

    /// <summary>Ask both orders and average, cancelling position bias.</summary>
    public bool BothOrders { get; init; } = true;

    /// <summary>Constitution document in the store (null = the built-in one).</summary>
    [StorePath]
    public string? Constitution { get; init; }
}

public enum AiJudgeKind
{
    Constitution,

    [JsonStringEnumMemberName("azureOpenAi")]
    AzureOpenAi,
}

public sealed record HumanLabelingSpec
{
    /// <summary>How long a batch waits for its labels before <see cref="OnTimeout"/> applies.</summary>
    [Range(1, 60 * 24 * 30)]
    public int TimeoutMinutes { get; init; } = 60 * 24;

    /// <summary>remind | fallbackToAi | fail.</summary>
    public HumanTimeoutPolicy OnTimeout { get; init; } = HumanTimeoutPolicy.FallbackToAi;

    /// <summary>Reminders sent before the batch falls back or fails (policy remind).</summary>
    [Range(0, 100)]
    public int MaxReminders { get; init; } = 2;
}

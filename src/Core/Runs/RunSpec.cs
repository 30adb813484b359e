using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Json;

namespace Rlhf.Core.Runs;

/// <summary>
/// One RLHF run as one JSON document (camelCase, see <c>configs/*.json</c>). Every field except
/// <see cref="Name"/> has a default; <see cref="RunSpecValidator"/> reports every problem at once.
/// </summary>
public sealed record RunSpec
{
    /// <summary>Run name; the run id is <c>{name}-{seed}-{utc}</c>. Letters, digits, '-', '_', '.'.</summary>
    [Required]
    [IdentifierName]
    public required string Name { get; init; }

    /// <summary>Seed for every job and for the simulated annotator.</summary>
    [Range(0, int.MaxValue)]
    public int Seed { get; init; } = 1;

    /// <summary>Where the policy that is sampled and optimised comes from.</summary>
    public BasePolicySpec BasePolicy { get; init; } = new();

    /// <summary>Corpus and prompt sets, as paths in the artifact store.</summary>
    public DatasetsSpec Datasets { get; init; } = new();

    /// <summary>How completions are drawn for labeling.</summary>
    public SamplingSpec Sampling { get; init; } = new();

    /// <summary>Who labels the comparisons and how they are batched.</summary>
    public LabelingSpec Labeling { get; init; } = new();

    /// <summary>Constitutional AI's supervised stage (<c>constitution.supervised</c>), before the reward model.</summary>
    public ConstitutionSpec Constitution { get; init; } = new();

    /// <summary>Reward model fit (trainer verb <c>reward</c>).</summary>
    public RewardModelSpec RewardModel { get; init; } = new();

    /// <summary>Policy optimisation: PPO or DPO (trainer verbs <c>ppo</c>/<c>dpo</c>).</summary>
    public PolicySpec Policy { get; init; } = new();

    /// <summary>Held-out evaluation (trainer verb <c>evaluate</c>).</summary>
    public EvaluationSpec Evaluation { get; init; } = new();

    /// <summary>Promotion of the new policy to champion.</summary>
    public PublishSpec Publish { get; init; } = new();

    /// <summary>Where and how trainer jobs run.</summary>
    public ComputeSpec Compute { get; init; } = new();

    /// <summary>
    /// Reuse an earlier run's completed step when its reuse key (inputs by content hash, parameters, seed, code version)
    /// matches, and people's stored answers to the same comparisons (docs/reuse.md); false runs every step again and asks people again.
    /// </summary>
    public bool Reuse { get; init; } = true;

    /// <summary>Validates and reads a run spec; throws <see cref="RunSpecException"/> with every error.</summary>
    public static RunSpec Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? doc;
        try
        {
            doc = JsonNode.Parse(json, documentOptions: JsonDefaults.StrictDocument);
        }
        catch (JsonException e)
        {
            throw new RunSpecException([new SpecError("$", $"Not valid JSON: {e.Message}")]);
        }

        return FromNode(doc);
    }

    /// <summary>Validates and reads an already parsed run spec document.</summary>
    public static RunSpec FromNode(JsonNode? doc)
    {
        var errors = RunSpecValidator.Validate(doc);
        if (errors.Count > 0)
        {
            throw new RunSpecException(errors);
        }

        return doc.Deserialize<RunSpec>(JsonDefaults.Options)
            ?? throw new RunSpecException([new SpecError("$", "The run spec is null.")]);
    }

    /// <summary>The spec as indented JSON (the form stored next to the run's artifacts).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonDefaults.Indented);
}

using System.ComponentModel.DataAnnotations;

namespace Rlhf.Core.Runs;

/// <summary>
/// One simulated annotator of <see cref="SimulatedLabelingSpec.Annotators"/>: a Bradley–Terry annotator over its own
/// utility u(x) = Σ_c weight_c · gold_c(x) (the gold score's components re-weighted) with two systematic biases on top:
/// <code>
/// P(A ≻ B) = σ( (u(A) − u(B)) / T  +  lengthBias · log2(words(A) / words(B))  ±  positionBias )   (+ when A is shown first)
/// </code>
/// T is <see cref="Temperature"/>, else calibrated on the batch's utility differences so that two copies of this
/// annotator would agree <see cref="TargetAgreement"/> of the time (else the panel's settings); the biases come on top.
/// </summary>
public sealed record SimulatedAnnotatorSpec
{
    /// <summary>The annotator's id: labeler <c>simulated:{name}</c> and file <c>labels/simulated/batch-NNNN/{name}.jsonl</c>.</summary>
    [IdentifierName]
    public required string Name { get; init; }

    /// <summary>Agreement of two copies of this annotator on the batch's pairs; null = the panel's (when temperature is null too).</summary>
    [Range(0.5, 1.0, MinimumIsExclusive = true)]
    public double? TargetAgreement { get; init; }

    /// <summary>Temperature over utility differences (0 = always the higher utility); give this or targetAgreement, not both.</summary>
    [Range(0.0, 1000.0)]
    public double? Temperature { get; init; }

    /// <summary>Logits per doubling of the word count: &gt; 0 prefers longer answers (verbosity bias), &lt; 0 shorter ones.</summary>
    [Range(-10.0, 10.0)]
    public double LengthBias { get; init; }

    /// <summary>Logits for whichever completion is shown first (each pair is shown in a random order): &gt; 0 primacy, &lt; 0 recency.</summary>
    [Range(-10.0, 10.0)]
    public double PositionBias { get; init; }

    /// <summary>Multipliers on the gold score's components (all 1 = the gold taste); at least one must be &gt; 0.</summary>
    public GoldWeightsSpec Weights { get; init; } = new();
}

/// <summary>Multipliers on the components of the demo gold score (<c>Rlhf.Core.Demo.GoldScore</c>); 1 keeps a component as the gold score weighs it.</summary>
public sealed record GoldWeightsSpec
{
    /// <summary>Warmth of the wording (saturated mean valence).</summary>
    [Range(0.0, 10.0)]
    public double Sentiment { get; init; } = 1.0;

    /// <summary>Share of plain (familiar) words.</summary>
    [Range(0.0, 10.0)]
    public double Plainness { get; init; } = 1.0;

    /// <summary>Reuse of the prompt's content words.</summary>
    [Range(0.0, 10.0)]
    public double OnTopic { get; init; } = 1.0;

    /// <summary>Penalty for harsh words.</summary>
    [Range(0.0, 10.0)]
    public double Harsh { get; init; } = 1.0;

    /// <summary>Penalty for word lists without function words.</summary>
    [Range(0.0, 10.0)]
    public double WordSalad { get; init; } = 1.0;

    /// <summary>Penalty for repetition, non-words and character runs.</summary>
    [Range(0.0, 10.0)]
    public double Degeneracy { get; init; } = 1.0;

    /// <summary>The weights in <c>GoldScore</c> component order.</summary>
    public IReadOnlyList<double> InOrder() => [Sentiment, Plainness, OnTopic, Harsh, WordSalad, Degeneracy];
}

using System.Globalization;
using Rlhf.Core.Contracts;
using Rlhf.Core.Demo;
using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Simulated;

/// <summary>
/// The simulated annotators of one batch: the spec's <see cref="SimulatedLabelingSpec.Annotators"/>, or
/// <see cref="LabelingSpec.AnnotatorsPerComparison"/> unbiased ones named <c>annotator-1</c>…; each with its temperature
/// (fixed, or calibrated on the batch's utility differences) and seeded from (run seed, batch index, position in the panel).
/// </summary>
public static class SimulatedPanel
{
    /// <summary>The profiles that label a batch.</summary>
    public static IReadOnlyList<SimulatedAnnotatorSpec> Profiles(LabelingSpec labeling)
    {
        ArgumentNullException.ThrowIfNull(labeling);
        return labeling.Simulated.Annotators.Count > 0
            ? labeling.Simulated.Annotators
            : [.. Enumerable.Range(1, labeling.AnnotatorsPerComparison).Select(n => new SimulatedAnnotatorSpec { Name = $"annotator-{n}" })];
    }

    /// <summary>The panel for a batch whose comparisons are <paramref name="pairs"/> (the two completions' gold scores).</summary>
    public static IReadOnlyList<SimulatedAnnotator> For(LabelBatchInput input, IReadOnlyList<(GoldScore A, GoldScore B)> pairs)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(pairs);
        return [.. Profiles(input.Labeling).Select((profile, index) => new SimulatedAnnotator(
            profile,
            Temperature(input.Labeling.Simulated, profile, [.. pairs.Select(p => new GoldPair(SimulatedAnnotator.Utility(profile.Weights, p.A), SimulatedAnnotator.Utility(profile.Weights, p.B)))]),
            SeedOf(input.Seed, input.BatchIndex, index)))];
    }

    /// <summary>
    /// The name the batch's majority lines carry: <c>simulated:bt(T=…)</c> for the default panel (one temperature),
    /// <c>simulated:{name}</c> for a panel of one, <c>simulated:majority(n=N)</c> otherwise.
    /// </summary>
    public static string MajorityLabeler(LabelingSpec labeling, IReadOnlyList<SimulatedAnnotator> panel)
    {
        ArgumentNullException.ThrowIfNull(labeling);
        ArgumentNullException.ThrowIfNull(panel);
        return labeling.Simulated.Annotators.Count == 0
            ? $"simulated:bt(T={panel[0].Temperature.ToString("G4", CultureInfo.InvariantCulture)})"
            : panel.Count == 1 ? panel[0].Labeler : $"simulated:majority(n={panel.Count})";
    }

    /// <summary><c>runs/{runId}/labels/simulated/batch-NNNN/{annotator}.jsonl</c>: one annotator's verdicts on a batch.</summary>
    public static string VotesPath(string runId, int batchIndex, string annotator) =>
        $"{ArtifactLayout.Run(runId)}/labels/simulated/{Path.GetFileNameWithoutExtension(ArtifactLayout.Labels(runId, batchIndex))}/{annotator}.jsonl";

    /// <summary>
    /// The annotator's temperature, else the one at which two copies of it agree on <paramref name="pairs"/> as often as its
    /// (or the panel's) target; 0 when the pairs cannot reach the target (T → 0 is the most agreement they allow: ties
    /// always disagree half the time).
    /// </summary>
    private static double Temperature(SimulatedLabelingSpec spec, SimulatedAnnotatorSpec profile, IReadOnlyList<GoldPair> pairs)
    {
        if (profile.Temperature is { } own)
        {
            return own;
        }

        if (profile.TargetAgreement is null && spec.Temperature is { } shared)
        {
            return shared;
        }

        var target = profile.TargetAgreement ?? spec.TargetAgreement;
        var ceiling = pairs.Count == 0 ? 0.5 : AnnotatorCalibration.ExpectedAgreement(pairs, 0);
        return ceiling <= target ? 0 : AnnotatorCalibration.CalibrateTemperature(pairs, target);
    }

    /// <summary>A fixed mix (not <see cref="HashCode"/>, which is randomised per process).</summary>
    private static int SeedOf(int runSeed, int batch, int annotator) =>
        (int)(((runSeed * 1_000_003L) + (batch * 7_919L) + annotator) & int.MaxValue);
}

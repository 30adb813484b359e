using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Algorithms;

/// <summary>Loss () with gradient, detached implicit rewards β·(log π − log π_ref) for chosen (B) and rejected (B), and metrics.</summary>
public sealed record PreferenceLossResult(
    Tensor Loss, Tensor ChosenRewards, Tensor RejectedRewards, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// DPO and IPO from per-sequence log-probs (B) of policy and frozen reference, as in TRL's <c>dpo_loss</c>:
/// <c>logits = (πc − πr) − (refc − refr)</c>;
/// DPO: <c>−logsigmoid(β·logits)·(1 − ε) − logsigmoid(−β·logits)·ε</c> (ε = label smoothing, cDPO);
/// IPO: <c>(logits − 1/(2β))²</c>.
/// The inputs may be summed per-token log-probs (DPO paper) or their per-token averages (TRL feeds IPO
/// averages; see <see cref="LogProbs.Sequence"/>): the formula is the same, β's scale differs.
/// Metrics: <c>rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins, logps/chosen, logps/rejected, loss/preference</c>.
/// </summary>
public static class PreferenceLosses
{
    public static PreferenceLossResult Compute(
        Tensor policyChosen,
        Tensor policyRejected,
        Tensor refChosen,
        Tensor refRejected,
        double beta,
        PreferenceLossType type = PreferenceLossType.Sigmoid,
        double labelSmoothing = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beta);
        if (labelSmoothing is < 0 or >= 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 0.5).");
        }

        MaskedOps.RequireSameShape(policyChosen, policyRejected, nameof(policyChosen), nameof(policyRejected));
        MaskedOps.RequireSameShape(policyChosen, refChosen, nameof(policyChosen), nameof(refChosen));
        MaskedOps.RequireSameShape(policyChosen, refRejected, nameof(policyChosen), nameof(refRejected));

        var piLogRatios = policyChosen - policyRejected; // (B)
        var refLogRatios = refChosen.detach() - refRejected.detach(); // (B)
        var logits = piLogRatios - refLogRatios; // (B)
        var losses = type switch
        {
            PreferenceLossType.Sigmoid =>
                -nn.functional.logsigmoid(beta * logits) * (1 - labelSmoothing)
                - nn.functional.logsigmoid(-beta * logits) * labelSmoothing,
            PreferenceLossType.Ipo => (logits - 1 / (2 * beta)).square(),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown preference loss."),
        };
        var loss = losses.mean();

        using var noGrad = no_grad();
        var chosenRewards = beta * (policyChosen.detach() - refChosen.detach()); // (B)
        var rejectedRewards = beta * (policyRejected.detach() - refRejected.detach()); // (B)
        var metrics = new Dictionary<string, double>
        {
            ["loss/preference"] = MaskedOps.ToDouble(loss),
            ["rewards/chosen"] = MaskedOps.ToDouble(chosenRewards.mean()),
            ["rewards/rejected"] = MaskedOps.ToDouble(rejectedRewards.mean()),
            ["rewards/accuracies"] = MaskedOps.ToDouble(chosenRewards.gt(rejectedRewards).to_type(ScalarType.Float32).mean()),
            ["rewards/margins"] = MaskedOps.ToDouble((chosenRewards - rejectedRewards).mean()),
            ["logps/chosen"] = MaskedOps.ToDouble(policyChosen.detach().mean()),
            ["logps/rejected"] = MaskedOps.ToDouble(policyRejected.detach().mean()),
        };
        return new PreferenceLossResult(loss, chosenRewards, rejectedRewards, metrics);
    }
}

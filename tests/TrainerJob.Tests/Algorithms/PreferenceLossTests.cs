using TorchSharp;
using Rlhf.TrainerJob.Algorithms;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;
using static TorchSharp.torch;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class PreferenceLossTests
{
    // Two pairs. Policy log-probs: chosen [−10, −8], rejected [−12, −7]; reference: chosen [−11, −9], rejected [−11, −9].
    // π log-ratios = [2, −1], ref log-ratios = [0, 0] → logits = [2, −1]; β = 0.1 → β·logits = [0.2, −0.1].
    private static PreferenceLossResult Run(PreferenceLossType type, double labelSmoothing = 0) =>
        PreferenceLosses.Compute(
            F([-10f, -8f], 2), F([-12f, -7f], 2), F([-11f, -9f], 2), F([-11f, -9f], 2), beta: 0.1, type, labelSmoothing);

    [Fact]
    public void DpoLossAndImplicitRewardMetrics()
    {
        using var scope = NewDisposeScope();

        var result = Run(PreferenceLossType.Sigmoid);

        // loss = mean(ln(1 + e^−0.2), ln(1 + e^0.1)) = (0.5981389 + 0.7443967) / 2 = 0.6712678
        Close(0.6712678, result.Loss);
        // chosen rewards = 0.1·([−10, −8] − [−11, −9]) = [0.1, 0.1]; rejected = 0.1·([−12, −7] − [−11, −9]) = [−0.1, 0.2]
        Close([0.1, 0.1], result.ChosenRewards);
        Close([-0.1, 0.2], result.RejectedRewards);
        Close(0.1, result.Metrics["rewards/chosen"]);
        Close(0.05, result.Metrics["rewards/rejected"]);
        Close(0.5, result.Metrics["rewards/accuracies"]); // 0.1 > −0.1 yes, 0.1 > 0.2 no
        Close(0.05, result.Metrics["rewards/margins"]); // mean(0.2, −0.1)
    }

    [Fact]
    public void ConservativeDpoWithLabelSmoothing()
    {
        using var scope = NewDisposeScope();

        var result = Run(PreferenceLossType.Sigmoid, labelSmoothing: 0.1);

        // (1 − ε)·softplus(−x) + ε·softplus(x) = softplus(−x) + ε·x, x = β·logits = [0.2, −0.1]
        // = 0.6712678 + 0.1 · mean(0.2, −0.1) = 0.6712678 + 0.005 = 0.6762678
        Close(0.6762678, result.Loss);
    }

    [Fact]
    public void IpoLoss()
    {
        using var scope = NewDisposeScope();

        var result = Run(PreferenceLossType.Ipo);

        // 1 / (2β) = 5: ((2 − 5)² + (−1 − 5)²) / 2 = (9 + 36) / 2 = 22.5
        Close(22.5, result.Loss);
    }

    [Fact]
    public void GradientReachesOnlyThePolicy()
    {
        using var scope = NewDisposeScope();
        var policyChosen = F([-10f, -8f], 2).requires_grad_();
        var refChosen = F([-11f, -9f], 2).requires_grad_();

        var result = PreferenceLosses.Compute(policyChosen, F([-12f, -7f], 2), refChosen, F([-11f, -9f], 2), beta: 0.1);
        result.Loss.backward();

        // d/dπc of mean(softplus(−β·logits)) = −β·sigmoid(−β·logits) / 2: pair 0 → −0.1·sigmoid(−0.2) / 2 = −0.0225083
        Close(-0.0225083, policyChosen.grad![0]);
        Assert.Null(refChosen.grad);
    }
}

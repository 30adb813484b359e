using System.Text.Json;
using Rlhf.Core.Json;
using Rlhf.TrainerJob.Algorithms;
using static Rlhf.TrainerJob.Tests.Algorithms.TensorAssert;

namespace Rlhf.TrainerJob.Tests.Algorithms;

public sealed class KlControllerTests
{
    [Fact]
    public void AdaptiveControllerThreeUpdatesByHand()
    {
        var controller = new AdaptiveKlController(initCoef: 0.1, target: 6, horizon: 10_000);

        // KL 7: e = 7/6 − 1 = 0.1666667 (inside ±0.2); mult = 1 + 0.1666667 · 1000 / 10000 = 1.0166667 → β = 0.1016667
        controller.Update(currentKl: 7, nSteps: 1000);
        Close(0.1016667, controller.Value, 1e-7);

        // KL 12: e = 12/6 − 1 = 1 → clipped to 0.2; mult = 1.02 → β = 0.1016667 · 1.02 = 0.1037
        controller.Update(currentKl: 12, nSteps: 1000);
        Close(0.1037, controller.Value, 1e-7);

        // KL 3: e = 3/6 − 1 = −0.5 → clipped to −0.2; mult = 0.98 → β = 0.1037 · 0.98 = 0.101626
        controller.Update(currentKl: 3, nSteps: 1000);
        Close(0.101626, controller.Value, 1e-7);
    }

    [Fact]
    public void FixedControllerStaysFixed()
    {
        var controller = new FixedKlController(0.05);

        controller.Update(currentKl: 100, nSteps: 10_000);
        controller.Update(currentKl: 0, nSteps: 10_000);

        Assert.Equal(0.05, controller.Value);
    }

    [Fact]
    public void StateRoundTripsThroughJsonAndResumesIdentically()
    {
        var original = new AdaptiveKlController(0.2, target: 6, horizon: 10_000);
        original.Update(9, 256);

        var json = JsonSerializer.Serialize(original.ToState(), JsonDefaults.Options);
        var restored = JsonSerializer.Deserialize<KlControllerState>(json, JsonDefaults.Options)!.Restore();
        original.Update(4, 256);
        restored.Update(4, 256);

        Assert.Contains("\"kind\":\"adaptive\"", json);
        Assert.IsType<AdaptiveKlController>(restored);
        Assert.Equal(original.Value, restored.Value);
        Assert.Equal(original.ToState(), restored.ToState());
        Assert.Equal(new FixedKlController(0.03).ToState(), new KlControllerState(KlControlKind.Fixed, 0.03).Restore().ToState());
    }

    [Fact]
    public void PpoConfigBuildsTheConfiguredController()
    {
        Assert.IsType<AdaptiveKlController>(new PpoConfig().CreateKlController());
        var fixedController = new PpoConfig { KlControl = KlControlKind.Fixed, InitKlCoef = 0.02 }.CreateKlController();
        Assert.Equal(new KlControllerState(KlControlKind.Fixed, 0.02), fixedController.ToState());
    }
}

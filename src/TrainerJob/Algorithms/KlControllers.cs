namespace Rlhf.TrainerJob.Algorithms;

/// <summary>
/// Serialisable state of a KL controller, written into checkpoints so a resumed job continues with
/// the same β. <see cref="Target"/> and <see cref="Horizon"/> are used by the adaptive controller only.
/// </summary>
public sealed record KlControllerState(KlControlKind Kind, double Value, double Target = 0, double Horizon = 0)
{
    /// <summary>Rebuilds the controller this state was taken from.</summary>
    public IKlController Restore() => Kind switch
    {
        KlControlKind.Fixed => new FixedKlController(Value),
        KlControlKind.Adaptive => new AdaptiveKlController(Value, Target, Horizon),
        _ => throw new InvalidOperationException($"Unknown KL controller kind {Kind}."),
    };
}

/// <summary>The KL coefficient β of the per-token penalty and how it reacts to the measured KL.</summary>
public interface IKlController
{
    /// <summary>Current β.</summary>
    double Value { get; }

    /// <summary>Feeds the mean sequence KL of the last batch and the number of samples (episodes) it held.</summary>
    void Update(double currentKl, long nSteps);

    /// <summary>Snapshot for checkpoints.</summary>
    KlControllerState ToState();
}

/// <summary>Constant β (TRL <c>FixedKLController</c>).</summary>
public sealed class FixedKlController(double coef) : IKlController
{
    public double Value { get; } = coef;

    public void Update(double currentKl, long nSteps)
    {
    }

    public KlControllerState ToState() => new(KlControlKind.Fixed, Value);
}

/// <summary>
/// Adaptive β (Ziegler et al. 2019, TRL <c>AdaptiveKLController</c>):
/// <c>e = clip(KL / target − 1, −0.2, 0.2); β ← β · (1 + e · nSteps / horizon)</c>.
/// </summary>
public sealed class AdaptiveKlController : IKlController
{
    private const double MaxProportionalError = 0.2;
    private readonly double _target;
    private readonly double _horizon;

    public AdaptiveKlController(double initCoef, double target, double horizon)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initCoef);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(target);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        Value = initCoef;
        _target = target;
        _horizon = horizon;
    }

    public double Value { get; private set; }

    public void Update(double currentKl, long nSteps)
    {
        var proportionalError = Math.Clamp(currentKl / _target - 1, -MaxProportionalError, MaxProportionalError);
        var mult = 1 + proportionalError * nSteps / _horizon;
        Value *= mult;
    }

    public KlControllerState ToState() => new(KlControlKind.Adaptive, Value, _target, _horizon);
}

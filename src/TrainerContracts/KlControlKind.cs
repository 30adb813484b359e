namespace Rlhf.TrainerContracts;

/// <summary>Which KL-coefficient schedule PPO uses.</summary>
public enum KlControlKind
{
    /// <summary>β stays at its initial value.</summary>
    Fixed,

    /// <summary>β follows the proportional controller of Ziegler et al. 2019.</summary>
    Adaptive,
}

namespace Rlhf.TrainerContracts;

/// <summary>Which direct preference objective to optimise.</summary>
public enum PreferenceLossType
{
    /// <summary>DPO (Rafailov et al. 2023), optionally with label smoothing (cDPO).</summary>
    Sigmoid,

    /// <summary>IPO (Azar et al. 2023).</summary>
    Ipo,
}

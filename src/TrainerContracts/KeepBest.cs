namespace Rlhf.TrainerContracts;

/// <summary>Which held-out check (<see cref="HeldoutCheckedConfig"/>) gives the policy the job writes (<c>params.keepBest</c>).</summary>
public enum KeepBest
{
    /// <summary>The check with the highest held-out reward-model score: the choice available without a gold.</summary>
    Proxy,

    /// <summary>The check with the highest held-out gold score (the demo's lexicon gold): what the proxy should have chosen.</summary>
    Gold,

    /// <summary>The last iteration's policy, as without checks.</summary>
    Last,
}

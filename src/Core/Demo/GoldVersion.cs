namespace Rlhf.Core.Demo;

/// <summary>
/// The gold score's generations, kept side by side so that figures under the old gold can be reproduced next to the new.
/// </summary>
public enum GoldVersion
{
    /// <summary>Lexicon terms only: sentiment, plainness, on-topic, harsh, word salad, degeneracy. Gameable by salad of easy words.</summary>
    V1 = 1,

    /// <summary>V1 plus the fluency judge (held-out n-gram language model) and the completeness term.</summary>
    V2 = 2,
}

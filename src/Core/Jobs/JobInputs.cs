namespace Rlhf.Core.Jobs;

/// <summary>
/// Names of the input artifacts in <see cref="JobSpec.Inputs"/>: the one vocabulary shared by the
/// orchestrations that build job specs and the trainer verbs that read them.
/// </summary>
public static class JobInputs
{
    /// <summary>Model folder of the policy being trained or sampled (for ppo/dpo also the frozen reference).</summary>
    public const string Policy = "policy";

    /// <summary>Model folder of the reference policy an evaluation compares against.</summary>
    public const string Reference = "reference";

    /// <summary>Reward model folder.</summary>
    public const string RewardModel = "rewardModel";

    /// <summary>Prompts JSONL (<c>{"id","prompt"}</c>).</summary>
    public const string Prompts = "prompts";

    /// <summary>Preferences JSONL (<c>PreferenceRecord</c> lines).</summary>
    public const string Preferences = "preferences";

    /// <summary>Held-out preferences JSONL for reward-model accuracy.</summary>
    public const string HeldOut = "heldout";

    /// <summary>Plain-text corpus for SFT.</summary>
    public const string Corpus = "corpus";

    /// <summary>JSONL of prompt/response pairs for SFT (<c>{"prompt","response"}</c>): the loss covers the responses only.</summary>
    public const string Pairs = "pairs";

    /// <summary>Plain-text corpus for the PPO-ptx pre-training mix.</summary>
    public const string Pretrain = "pretrain";

    /// <summary>Folder of lexicons behind the demo's gold score.</summary>
    public const string Lexicons = "lexicons";

    /// <summary>JSONL of prompts with a reference continuation (<c>{"prompt","reference"}</c>), read by the rougeL reward source.</summary>
    public const string References = "references";
}

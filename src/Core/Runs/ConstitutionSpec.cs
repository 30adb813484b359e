using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rlhf.Core.Runs;

/// <summary>Constitutional AI beyond the RL stage's labeler (which is <c>labeling.ai</c>).</summary>
public sealed record ConstitutionSpec
{
    /// <summary>
    /// The supervised stage (SL-CAI), run after the base policy and before sampling for labels: sample responses,
    /// critique each against a principle drawn from the constitution, revise, up to <see cref="SupervisedCaiSpec.Rounds"/>
    /// rounds, then fine-tune the policy on (prompt, final revision); the rest of the run starts from that policy. Null: no SL-CAI.
    /// </summary>
    public SupervisedCaiSpec? Supervised { get; init; }
}

public enum CaiCritic
{
    /// <summary>The local constitution judge names the violations; revision is rejection sampling from the policy.</summary>
    Local,

    /// <summary>A chat deployment writes the critique and the revision (the CAI paper's requests, few-shot, chain of thought).</summary>
    [JsonStringEnumMemberName("azureOpenAi")]
    AzureOpenAi,
}

public sealed record SupervisedCaiSpec
{
    /// <summary>Prompts to sample and revise; null = <c>datasets.trainPrompts</c>.</summary>
    [StorePath]
    public string? Prompts { get; init; }

    /// <summary>Red-team prompts, revised too (the demo's: <c>prompts.redteam.train.jsonl</c>); null = none.</summary>
    [StorePath]
    public string? RedTeamPrompts { get; init; }

    /// <summary>Use only the first N prompts of each file; 0 = all.</summary>
    [Range(0, 1_000_000)]
    public int PromptLimit { get; init; }

    /// <summary>Critique → revision rounds (N); a response with nothing left to critique stops early.</summary>
    [Range(1, 8)]
    public int Rounds { get; init; } = 2;

    /// <summary>Local critic: continuations resampled per revision, the best under the critiqued principle kept (K).</summary>
    [Range(1, 64)]
    public int Candidates { get; init; } = 4;

    /// <summary>local | azureOpenAi.</summary>
    public CaiCritic Critic { get; init; } = CaiCritic.Local;

    /// <summary>How often each principle is drawn for a critique (weights; 0 = never drawn).</summary>
    public PrinciplesSpec Principles { get; init; } = new();

    /// <summary>The chat deployment of critic azureOpenAi: a name the host configures (as for the judge), never an endpoint.</summary>
    public AzureOpenAiJudgeSpec AzureOpenAi { get; init; } = new();

    /// <summary><c>params</c> of the <c>sft</c> job that fine-tunes the policy on the revisions (the policy's architecture is kept).</summary>
    public JsonObject Sft { get; init; } = new() { ["steps"] = 100, ["learningRate"] = 3e-4, ["minLr"] = 3e-5, ["warmupSteps"] = 5 };
}

using Rlhf.Core.Artifacts;
using Rlhf.Core.Runs;

namespace Rlhf.Core.Contracts;

/// <summary>Input of the <c>SupervisedCai</c> sub-orchestration: the policy to revise and fine-tune, and the run's spec.</summary>
public sealed record SupervisedCaiInput(string RunId, string Store, string Policy, RunSpec Spec)
{
    /// <summary>Whether the stage's trainer jobs take an earlier run's identical step (docs/reuse.md); null in a history from before reuse.</summary>
    public StepReuseOptions? Reuse { get; init; }
}

/// <summary>The SL-CAI policy (a model folder) and what the stage wrote.</summary>
public sealed record SupervisedCaiResult(string Policy, ArtifactRef Corpus, ArtifactRef Summary, int Responses, int Revised, int Rounds, IReadOnlyList<ArtifactRef> Artifacts);

/// <summary>Input of <c>PrepareCaiPrompts</c>: the prompt sets merged (first N of each) into <c>sl-cai/prompts.jsonl</c>.</summary>
public sealed record CaiPromptsInput(string RunId, string Prompts, string? RedTeamPrompts, int Limit);

/// <summary>The merged prompt file and its line count.</summary>
public sealed record CaiPrompts(ArtifactRef Prompts, int Count);

/// <summary>
/// Input of <c>CritiqueResponses</c>: round <see cref="Round"/> (1-based) critiques <see cref="Responses"/> (the policy's
/// samples in round 1, the previous round's revisions after).
/// </summary>
public sealed record CaiRoundInput(string RunId, int Round, ArtifactRef Responses, SupervisedCaiSpec Spec, int Seed);

/// <summary>
/// The round's critiques; with the local critic the prompts to resample (<see cref="RevisePrompts"/>, null when nothing needs
/// revising), with a chat critic the revisions themselves (<see cref="Revisions"/>).
/// </summary>
public sealed record CaiCritiques(ArtifactRef Critiques, int ToRevise, ArtifactRef? RevisePrompts, ArtifactRef? Revisions);

/// <summary>Input of <c>ReviseResponses</c> (local critic): keep each critiqued response's best candidate under its principle.</summary>
public sealed record CaiReviseInput(string RunId, int Round, ArtifactRef Critiques, ArtifactRef? Candidates);

/// <summary>The round's revisions (every response, revised or kept) and how many changed.</summary>
public sealed record CaiRevisions(ArtifactRef Revisions, int Revised);

/// <summary>Input of <c>WriteCaiCorpus</c>: the final revisions become the fine-tuning corpus.</summary>
public sealed record CaiCorpusInput(string RunId, ArtifactRef Revisions, int Rounds);

/// <summary>The fine-tuning corpus (<c>pairs.jsonl</c>: prompt and final revision per line) and the stage summary.</summary>
public sealed record CaiCorpus(ArtifactRef Corpus, ArtifactRef Summary, int Responses, int Revised);

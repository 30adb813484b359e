using Rlhf.Activities.Labeling.Judges;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Constitution;

/// <summary>
/// One line of <c>sl-cai/round-R/critiques.jsonl</c>: the response critiqued in round <see cref="Round"/> against
/// <see cref="Principle"/>, the critique (the local critic's named violations, or the chat model's reasoning), and, for
/// the local critic, the part kept before the first violation (<see cref="Keep"/>), from which the policy resamples.
/// </summary>
public sealed record CaiCritique(
    string PromptId,
    string Prompt,
    int Round,
    string Principle,
    string Response,
    string Critique,
    IReadOnlyList<Violation> Violations,
    bool NeedsRevision,
    string Keep,
    double Score,
    string Critic);

/// <summary>
/// One line of <c>sl-cai/round-R/revisions.jsonl</c>: the response before and after round <see cref="Round"/>'s revision
/// under <see cref="Principle"/> (<see cref="After"/> = <see cref="Before"/> when nothing needed revising or no
/// candidate scored better), with the critiqued principle's scores (local critic; 0 for a chat critic).
/// </summary>
public sealed record CaiRevision(
    string PromptId,
    string Prompt,
    int Round,
    string Principle,
    string Before,
    string After,
    bool Revised,
    double ScoreBefore,
    double ScoreAfter,
    int Candidates,
    string Critic);

/// <summary><c>sl-cai/summary.json</c>: what the stage did, per principle, and the responses' helpfulness and harmlessness before and after each round.</summary>
public sealed record CaiSummary(int Responses, int Revised, int Rounds, IReadOnlyDictionary<string, CaiPrincipleSummary> Principles)
{
    public IReadOnlyList<CaiPoint> Trajectory { get; init; } = [];
}

/// <summary>The mean local-judge helpful and harmless scores of every response at one point of SL-CAI (<c>responses</c>, then <c>round N</c>).</summary>
public sealed record CaiPoint(string Label, double Helpful, double Harmless);

/// <summary>Critiques, revisions and the mean critiqued-principle score before and after, over all rounds.</summary>
public sealed record CaiPrincipleSummary(int Critiques, int NeedingRevision, int Revised, double MeanScoreBefore, double MeanScoreAfter);

/// <summary>Where the SL-CAI stage writes, under <c>runs/{runId}/sl-cai/</c> (<see cref="Core.Runs.StepNames.SupervisedCai"/>).</summary>
public static class CaiLayout
{
    public static string Folder(string runId) => ArtifactLayout.Step(runId, Core.Runs.StepNames.SupervisedCai);

    public static string Prompts(string runId) => $"{Folder(runId)}/prompts.jsonl";

    public static string Critiques(string runId, int round) => $"{ArtifactLayout.Step(runId, Core.Runs.StepNames.SupervisedCaiRound(round))}/critiques.jsonl";

    public static string RevisePrompts(string runId, int round) => $"{ArtifactLayout.Step(runId, Core.Runs.StepNames.SupervisedCaiRound(round))}/revise-prompts.jsonl";

    public static string Revisions(string runId, int round) => $"{ArtifactLayout.Step(runId, Core.Runs.StepNames.SupervisedCaiRound(round))}/revisions.jsonl";

    /// <summary>The fine-tuning pairs (<c>sft</c>'s <c>inputs.pairs</c>).</summary>
    public static string Pairs(string runId) => $"{Folder(runId)}/pairs.jsonl";

    public static string Summary(string runId) => $"{Folder(runId)}/summary.json";
}

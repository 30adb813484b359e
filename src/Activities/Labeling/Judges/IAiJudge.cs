using Rlhf.Core.Runs;

namespace Rlhf.Activities.Labeling.Judges;

/// <summary>An AI labeler (<see cref="LabelingMode.Ai"/>); <c>LabelBatch</c> picks the one whose <see cref="Kind"/> the run spec names.</summary>
public interface IAiJudge : IPreferenceLabeler
{
    AiJudgeKind Kind { get; }
}

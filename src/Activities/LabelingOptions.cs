namespace Rlhf.Activities;

/// <summary>Options of the labeling activities (section <c>Rlhf:Labeling</c>).</summary>
public sealed class LabelingOptions
{
    /// <summary>Folder with the demo lexicons (<c>afinn-111.tsv</c>, ...) behind the gold score of the simulated annotator.</summary>
    public string LexiconDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "data", "tiny", "lexicons");
}

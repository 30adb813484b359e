using Rlhf.Activities.Labeling.Judges;

namespace Rlhf.Activities;

/// <summary>Options of the labeling activities (section <c>Rlhf:Labeling</c>).</summary>
public sealed class LabelingOptions
{
    public const string SectionName = "Rlhf:Labeling";

    /// <summary>Folder with the demo lexicons (<c>afinn-111.tsv</c>, ...) behind the gold score of the simulated annotator.</summary>
    public string LexiconDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "data", "tiny", "lexicons");

    /// <summary>
    /// The Azure OpenAI judge deployments this host may call, by name (<c>Rlhf:Labeling:JudgeDeployments:{name}:Endpoint</c>, ...).
    /// A run spec names one (<c>labeling.ai.azureOpenAi.deployment</c>) and never an endpoint or a key: where a request
    /// goes and which secret it carries are the host's decision (docs/security.md).
    /// </summary>
    public Dictionary<string, JudgeDeployment> JudgeDeployments { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Allow <c>http://</c> judge endpoints on a loopback address (tests' local OpenAI-compatible server); off in production.</summary>
    public bool AllowLoopbackHttpJudges { get; set; }
}

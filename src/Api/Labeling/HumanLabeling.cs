using Microsoft.Extensions.Options;
using Rlhf.Activities.Labeling.Human;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Labeling;

namespace Rlhf.Api.Labeling;

/// <summary>What the labeling handlers share in both hosts: the artifact store, the submission store, the token signer, settings and clock.</summary>
public sealed class HumanLabeling(IArtifactStore store, LabelTokens tokens, IOptions<LabelingApiOptions> options, TimeProvider clock)
{
    public IArtifactStore Store { get; } = store;

    public HumanSubmissionStore Submissions { get; } = new(store);

    public LabelTokens Tokens { get; } = tokens;

    public LabelingApiOptions Options { get; } = options.Value;

    public TimeProvider Clock { get; } = clock;
}

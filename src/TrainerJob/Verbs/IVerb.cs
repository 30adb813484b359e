using Rlhf.Core.Jobs;
using Rlhf.TrainerJob.Runtime;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>The work of a validated job: runs with a <see cref="JobContext"/> and throws on failure.</summary>
public delegate Task VerbRun(JobContext context, CancellationToken cancellationToken);

/// <summary>
/// One verb of <c>rlhf-trainer</c>. <see cref="Prepare"/> binds and validates the spec (typed config from
/// <c>params</c>, required inputs) without touching the store, throwing <see cref="JobSpecException"/> (or
/// <see cref="ArgumentException"/>) for anything invalid, and returns the run.
/// </summary>
public interface IVerb
{
    /// <summary>The verb as typed on the command line and in <see cref="JobSpec.Verb"/>.</summary>
    string Name { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    string Description { get; }

    VerbRun Prepare(JobSpec spec);
}

/// <summary>The verbs this build of the trainer knows. Adding a verb: one class implementing <see cref="IVerb"/>, one line here.</summary>
public static class VerbRegistry
{
    public static IReadOnlyList<IVerb> All { get; } =
    [
        new SftVerb(),
        new SampleVerb(),
        new RewardVerb(),
        new EvaluateVerb(),
        new PpoVerb(),
        new DpoVerb(),
        new GrpoVerb(),
        new RlooVerb(),
    ];

    public static IVerb? Find(string name) => All.FirstOrDefault(v => v.Name == name);
}

using Rlhf.Core.Jobs;

namespace Rlhf.TrainerContracts;

/// <summary>
/// The spec (or the command line) is invalid: <see cref="Field"/> is the offending spec field as a user
/// would write it (<c>params.learningRate</c>, <c>inputs.corpus</c>, <c>verb</c>). The process exits with
/// <see cref="JobExitCodes.InvalidSpec"/> and writes nothing.
/// </summary>
public sealed class JobSpecException(string field, string problem) : Exception($"{field} {problem}")
{
    public string Field { get; } = field;

    /// <summary>Throws a <see cref="JobSpecException"/> for <paramref name="field"/> unless <paramref name="condition"/> holds.</summary>
    public static void Require(bool condition, string field, string problem)
    {
        if (!condition)
        {
            throw new JobSpecException(field, problem);
        }
    }
}

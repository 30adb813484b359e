namespace Rlhf.Core.Runs;

/// <summary>One problem in a run spec: the JSON path of the offending value (e.g. <c>$.sampling.k</c>) and what is wrong.</summary>
public sealed record SpecError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A run spec that failed validation; carries every error found.</summary>
public sealed class RunSpecException(IReadOnlyList<SpecError> errors)
    : ArgumentException($"Invalid run spec:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}")
{
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Core.Json;

namespace Rlhf.TrainerContracts;

/// <summary>A typed config read from a job spec's <c>params</c>.</summary>
public interface ITrainerParams
{
    /// <summary>Every problem found, each naming its field as <c>params.fieldName</c>; empty when valid.</summary>
    IReadOnlyList<string> Validate();
}

/// <summary>Reads a job spec's <c>params</c> object into a config record (camelCase JSON, unknown keys rejected) and validates it.</summary>
public static class TrainerParams
{
    /// <exception cref="ArgumentException">Unknown key, wrong type, or a failed <see cref="ITrainerParams.Validate"/>, listing every problem.</exception>
    public static T Read<T>(JsonObject? parameters)
        where T : class, ITrainerParams, new()
    {
        T config;
        try
        {
            config = parameters?.Deserialize<T>(JsonDefaults.Options) ?? new T();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"params: {e.Message}", nameof(parameters), e);
        }

        var problems = config.Validate();
        return problems.Count == 0
            ? config
            : throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(parameters));
    }
}

/// <summary>Collects validation problems with the JSON (camelCase) name of each field.</summary>
internal sealed class ParamChecks
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public ParamChecks Positive(string field, double value) =>
        Check(value > 0 && double.IsFinite(value), field, "must be > 0");

    public ParamChecks NonNegative(string field, double value) =>
        Check(value >= 0 && double.IsFinite(value), field, "must be >= 0");

    public ParamChecks OpenUnit(string field, double value) =>
        Check(value is > 0 and < 1, field, "must be in (0, 1)");

    public ParamChecks UnitInterval(string field, double value) =>
        Check(value is >= 0 and <= 1, field, "must be in [0, 1]");

    public ParamChecks AtLeast(string field, long value, long min) =>
        Check(value >= min, field, $"must be >= {min}");

    /// <summary>A problem already worded with its field (e.g. <c>params.rewards[0].weight ...</c>).</summary>
    public ParamChecks Add(string problem)
    {
        _problems.Add(problem);
        return this;
    }

    public ParamChecks Check(bool ok, string field, string problem)
    {
        if (!ok)
        {
            _problems.Add($"params.{JsonNamingPolicy.CamelCase.ConvertName(field)} {problem}");
        }

        return this;
    }
}

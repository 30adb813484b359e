using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rlhf.Api.Report;

/// <summary>One metric over a job's steps: x = the logged step, y = the value (finite values only).</summary>
public sealed record MetricSeries(string Key, IReadOnlyList<double> Steps, IReadOnlyList<double> Values)
{
    public int Count => Steps.Count;
}

/// <summary>
/// A job's <c>metrics.jsonl</c> (one object per logged step, <c>{"step":120,"rm/loss":0.61,...}</c>; the trainer writes
/// non-finite values as strings such as <c>"NaN"</c>). Lines that are not JSON objects are counted, not fatal, so a
/// half-written log still plots.
/// </summary>
public sealed class StepMetrics
{
    private readonly Dictionary<string, (List<double> Steps, List<double> Values)> _series = new(StringComparer.Ordinal);

    private StepMetrics()
    {
    }

    /// <summary>Lines that could not be read.</summary>
    public int BadLines { get; private set; }

    /// <summary>Logged lines.</summary>
    public int Lines { get; private set; }

    public IEnumerable<string> Keys => _series.Keys;

    public static StepMetrics Parse(ReadOnlySpan<byte> jsonl)
    {
        var metrics = new StepMetrics();
        foreach (var line in Encoding.UTF8.GetString(jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            metrics.Add(line);
        }

        return metrics;
    }

    public bool Has(string key) => _series.TryGetValue(key, out var series) && series.Steps.Count > 0;

    /// <summary>The finite values of <paramref name="key"/> in log order; empty when never logged.</summary>
    public MetricSeries Series(string key) =>
        _series.TryGetValue(key, out var series) ? new MetricSeries(key, series.Steps, series.Values) : new MetricSeries(key, [], []);

    /// <summary>
    /// Pairs of (<paramref name="xKey"/>, <paramref name="yKey"/>) logged on the same line, in log order
    /// (e.g. gold against KL per PPO iteration).
    /// </summary>
    public IReadOnlyList<(double X, double Y)> Paired(string xKey, string yKey)
    {
        var x = Series(xKey);
        var y = Series(yKey);
        var yByStep = new Dictionary<double, double>();
        for (var i = 0; i < y.Count; i++)
        {
            yByStep[y.Steps[i]] = y.Values[i];
        }

        var pairs = new List<(double, double)>();
        for (var i = 0; i < x.Count; i++)
        {
            if (yByStep.TryGetValue(x.Steps[i], out var value))
            {
                pairs.Add((x.Values[i], value));
            }
        }

        return pairs;
    }

    private void Add(string line)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            BadLines++;
            return;
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("step", out var stepElement)
                || !stepElement.TryGetDouble(out var step))
            {
                BadLines++;
                return;
            }

            Lines++;
            foreach (var property in doc.RootElement.EnumerateObject().Where(p => p.Name != "step"))
            {
                if (ValueOf(property.Value) is { } value && double.IsFinite(value))
                {
                    if (!_series.TryGetValue(property.Name, out var series))
                    {
                        series = ([], []);
                        _series[property.Name] = series;
                    }

                    series.Steps.Add(step);
                    series.Values.Add(value);
                }
            }
        }
    }

    private static double? ValueOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String when double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };
}

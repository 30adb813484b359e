using System.Text.Json;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.TrainerJob.Training;

/// <summary>A preference record and its 1-based line number in the file it was read from.</summary>
public readonly record struct PreferenceLine(PreferenceRecord Record, int Line);

/// <summary>Reads a staged preferences JSONL input (<see cref="PreferenceRecord"/> lines, as the labeling activities write them).</summary>
public static class PreferenceFile
{
    /// <summary>Every record in file order, blank lines skipped; a bad line throws naming the input and the line number.</summary>
    public static List<PreferenceRecord> Read(string file, string inputName) => [.. ReadLines(file, inputName).Select(l => l.Record)];

    /// <summary>As <see cref="Read"/>, with each record's line number, so later checks can name the line too.</summary>
    public static List<PreferenceLine> ReadLines(string file, string inputName)
    {
        var records = new List<PreferenceLine>();
        foreach (var (text, number) in JsonLines.NonBlank(file))
        {
            try
            {
                records.Add(new PreferenceLine(JsonSerializer.Deserialize<PreferenceRecord>(text, JsonDefaults.Options) ?? throw new JsonException("null line"), number));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"inputs.{inputName} line {number} is not a preference record: {ex.Message}", ex);
            }
        }

        return records;
    }
}

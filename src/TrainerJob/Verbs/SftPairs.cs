using System.Text.Json;
using Rlhf.TrainerJob.Training;

namespace Rlhf.TrainerJob.Verbs;

/// <summary>The <c>sft</c> verb's <c>inputs.pairs</c>: JSONL lines <c>{"prompt": "...", "response": "..."}</c>.</summary>
public static class SftPairs
{
    /// <summary>Reads the pairs; a line that is not such an object is an <see cref="InvalidDataException"/> naming its number.</summary>
    public static IReadOnlyList<(string Prompt, string Response)> Read(string path)
    {
        var pairs = new List<(string, string)>();
        foreach (var (line, number) in JsonLines.NonBlank(path))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"inputs.pairs line {number}: expected {{\"prompt\": string, \"response\": string}}.");
                }

                pairs.Add((prompt.GetString()!, response.GetString()!));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"inputs.pairs line {number}: not JSON ({e.Message}).", e);
            }
        }

        if (pairs.Count == 0)
        {
            throw new InvalidDataException("inputs.pairs holds no pairs.");
        }

        return pairs;
    }
}

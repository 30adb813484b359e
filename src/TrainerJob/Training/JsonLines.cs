namespace Rlhf.TrainerJob.Training;

/// <summary>The lines of a staged JSONL input that are not blank, with their 1-based numbers, so a reader can name a bad line.</summary>
internal static class JsonLines
{
    public static IEnumerable<(string Text, int Number)> NonBlank(string file) =>
        File.ReadLines(file).Select((text, i) => (text, i + 1)).Where(line => !string.IsNullOrWhiteSpace(line.text));
}

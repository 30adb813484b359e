using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rlhf.TrainerJob.Tests.Image;

/// <summary>One instruction of a Dockerfile: keyword (upper case), its arguments (continuations joined) and the stage it is in.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, string Stage, int Line);

/// <summary>
/// The parts of a Dockerfile the image tests read: instructions per stage, global and stage ARG defaults, COPY sources.
/// Enough of the format for our file (comments, line continuations, <c>FROM … AS name</c>, exec-form JSON arrays), no more.
/// </summary>
internal sealed partial class DockerfileModel
{
    private DockerfileModel(IReadOnlyList<DockerInstruction> instructions) => Instructions = instructions;

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    public static DockerfileModel Parse(string path)
    {
        var instructions = new List<DockerInstruction>();
        var stage = "";
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i + 1;
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                var next = lines[++i].Trim();
                line = line[..^1].TrimEnd() + (next.StartsWith('#') ? "" : " " + next);
            }

            var split = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (split < 0 ? line : line[..split]).ToUpperInvariant();
            var arguments = split < 0 ? "" : line[(split + 1)..].Trim();
            if (keyword == "FROM")
            {
                var alias = FromAlias().Match(arguments);
                stage = alias.Success ? alias.Groups[1].Value : arguments;
            }

            instructions.Add(new DockerInstruction(keyword, arguments, stage, start));
        }

        return new DockerfileModel(instructions);
    }

    public IEnumerable<DockerInstruction> In(string stage, string keyword) =>
        Instructions.Where(i => i.Stage == stage && i.Keyword == keyword);

    /// <summary>The last stage (the image that is built by default).</summary>
    public string FinalStage => Instructions.Last(i => i.Keyword == "FROM").Stage;

    /// <summary>Default of <c>ARG name=value</c> (global or in a stage); null when the ARG has none.</summary>
    public string? ArgDefault(string name) =>
        Instructions.Where(i => i.Keyword == "ARG").Select(i => i.Arguments.Split('=', 2)).Where(p => p[0] == name).Select(p => p.Length == 2 ? p[1] : null).LastOrDefault();

    /// <summary>Sources and destination of a COPY (its <c>--from=</c> stage, or null for the build context).</summary>
    public static (string? From, IReadOnlyList<string> Sources, string Destination) ParseCopy(DockerInstruction copy)
    {
        var words = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
        words.RemoveAll(w => w.StartsWith("--", StringComparison.Ordinal));
        return (from, words[..^1], words[^1]);
    }

    /// <summary>An exec-form instruction's array (<c>ENTRYPOINT ["rlhf-trainer"]</c>).</summary>
    public static string[] ExecForm(DockerInstruction instruction) =>
        JsonSerializer.Deserialize<string[]>(instruction.Arguments) ?? throw new InvalidOperationException($"line {instruction.Line}: not an exec-form array");

    [GeneratedRegex(@"\s+AS\s+(\S+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex FromAlias();
}

using Rlhf.Core.Demo;

namespace Rlhf.Core.Tests.Demo;

/// <summary>Paths into the committed slice <c>data/tiny/</c> and a scorer loaded from its lexicons.</summary>
internal static class TinyData
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Directory { get; } = Path.Combine(RepositoryRoot, "data", "tiny");

    public static string Lexicons => Path.Combine(Directory, DemoDataBuilder.LexiconDirectory);

    public static GoldScorer Scorer { get; } = GoldScorer.Load(Lexicons);

    public static string FilePath(string file) => Path.Combine(Directory, file);

    public static IReadOnlyList<T> ReadJsonLines<T>(string file) =>
        File.ReadLines(FilePath(file))
            .Select(line => System.Text.Json.JsonSerializer.Deserialize<T>(line, Rlhf.Core.Json.JsonDefaults.Options)!)
            .ToList();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Pipeline.sln not found above " + AppContext.BaseDirectory);
    }
}

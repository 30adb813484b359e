#:project ../src/Core/Core.csproj
#:property PublishAot=false
// Builds the demo data set from data/raw (see scripts/fetch-data.sh).
// Usage: dotnet run scripts/build-demo-data.cs -- <rawDir> <fullOutDir> [<tinyOutDir>]
using System.Globalization;
using Rlhf.Core.Demo;

if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: build-demo-data.cs <rawDir> <fullOutDir> [<tinyOutDir>]");
    return 2;
}

Report(args[1], DemoDataBuilder.Build(args[0], args[1], new DemoBuildOptions()));
if (args.Length == 3)
{
    Report(args[2], DemoDataBuilder.Build(args[0], args[2], DemoBuildOptions.Tiny));
}

return 0;

static void Report(string directory, DemoDataSummary s)
{
    var c = CultureInfo.InvariantCulture;
    Console.WriteLine(string.Create(c, $"{directory}: {s.Documents} documents, {s.Paragraphs} paragraphs, corpus {s.CorpusBytes / 1024.0:F0} KiB"));
    Console.WriteLine(string.Create(c, $"  prompts: {s.CandidatePrompts} candidates -> {s.TrainPrompts} train, {s.HeldoutPrompts} held-out"));
    Console.WriteLine(string.Create(c, $"  fluency judge: {s.FluencyModelSentences} model sentences, {s.FluencyHeldoutSentences} held-out"));
    Console.WriteLine("  lexicons: " + string.Join(", ", s.LexiconEntries.Select(kv => $"{kv.Key} {kv.Value}")));
    Console.WriteLine(string.Create(c, $"  gold score: references {s.GoldReferences.Mean:F3} ± {s.GoldReferences.Std:F3}, random corpus snippets {s.GoldRandomSnippets.Mean:F3} ± {s.GoldRandomSnippets.Std:F3} (n = {s.GoldReferences.Count})"));
    foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
    {
        Console.WriteLine(string.Create(c, $"    {new FileInfo(file).Length,10:N0}  {Path.GetRelativePath(directory, file)}"));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Rlhf.EndToEnd.Tests;
using Rlhf.EndToEnd.Tests.Support;

// Chaos benchmark (not in CI): the CI chaos drill, longer. `dotnet run -c Release --project bench/Chaos -- [runs] [kills] [seed]`
// (default 3 runs x 10 kills). Each run: the end-to-end spec on a `serve` with its own Azurite, `kills` SIGKILLs of the host
// aimed at the stages in turn, restarts after 0-3 s. Prints JSON: kills survived out of N per stage (a kill counts as
// survived when its run then completed), and how many runs ended hash-identical to an undisturbed run. Progress on stderr.
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var kills = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var firstSeed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : Random.Shared.Next(1, 1_000_000);

var fixture = new EndToEndFixture();
await fixture.InitializeAsync();
var clock = Stopwatch.StartNew();
var baseline = await fixture.BaselineAsync();
Console.Error.WriteLine($"baseline: {baseline.Hashes.Count} step outputs in {clock.Elapsed.TotalSeconds:0} s");

var results = new List<object>();
var perStage = HostKillDrill.Stages.ToDictionary(s => s, _ => (Kills: 0, Survived: 0));
var identical = 0;
var completed = 0;
for (var run = 0; run < runs; run++)
{
    var seed = firstSeed + run;
    clock.Restart();
    var landed = new List<HostKill>();
    try
    {
        var drill = await HostKillDrill.RunAsync(fixture, $"bench{run}", kills, killTrainers: false, seed, line => Console.Error.WriteLine($"run {run}: {line}"), landed);
        var differences = drill.Fingerprint.DifferencesFrom(baseline);
        identical += differences.Count == 0 ? 1 : 0;
        completed++;
        Count(landed, survived: true);

        results.Add(new { seed, completed = true, kills = drill.Kills.Count, identical = differences.Count == 0, differences, seconds = Math.Round(clock.Elapsed.TotalSeconds) });
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        // The drill failed (hung past its bound or ended badly): its kills are not counted as survived.
        Console.Error.WriteLine($"run {run} (seed {seed}) failed: {e.Message}");
        Count(landed, survived: false);
        results.Add(new { seed, completed = false, error = e.Message.Split('\n')[0], seconds = Math.Round(clock.Elapsed.TotalSeconds) });
    }
}

await fixture.DisposeAsync();
Console.WriteLine(JsonSerializer.Serialize(
    new
    {
        runs,
        killsPerRun = kills,
        runsCompleted = completed,
        runsHashIdentical = identical,
        killsSurvived = perStage.Values.Sum(v => v.Survived),
        killsTotal = perStage.Values.Sum(v => v.Kills),
        perStage = perStage.ToDictionary(p => p.Key, p => new { kills = p.Value.Kills, survived = p.Value.Survived }),
        results,
    },
    new JsonSerializerOptions { WriteIndented = true }));

void Count(IEnumerable<HostKill> landed, bool survived)
{
    foreach (var kill in landed)
    {
        var (k, s) = perStage.GetValueOrDefault(kill.Stage);
        perStage[kill.Stage] = (k + 1, s + (survived ? 1 : 0));
    }
}

using System.Runtime.InteropServices;
using System.Text.Json;
using Rlhf.Bench.PlatformPerf;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Json;
using Rlhf.Core.Storage;

// Benchmarks the durable platform (engine on Azurite, worker, API, job runner) and prints one JSON object on
// stdout, a readable summary on stderr. See docs/platform-performance.md.
PerfOptions options;
try
{
    options = PerfOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

var repoRoot = RepoRoot.Find() ?? throw new InvalidOperationException("Run from inside the repository (Pipeline.sln not found).");
var dataDir = Path.Combine(Path.GetTempPath(), $"platform-perf-{Environment.ProcessId}");
var loadStart = LoadAverage();
var started = BenchClock.Now;
var overhead = new List<OverheadResult>();
var dispatch = new List<DispatchResult>();
var errors = new EngineErrors();
FanOutResult? fanOut = null;

await using (var azurite = await Azurite.StartInMemoryOnFreePortsAsync(repoRoot))
{
    var hostOptions = new LocalHostOptions { RepoRoot = repoRoot, DataDir = dataDir, TaskHub = "perf", Container = "perf" };
    if (options.Only.Contains("dispatch"))
    {
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var polling in round % 2 == 1 ? options.Polling : options.Polling.Reverse())
            {
                Summary.Progress($"dispatch round {round}: {options.Calls} sequential no-op activities, MaxQueuePollingInterval {polling.TotalMilliseconds} ms");
                dispatch.Add(await DispatchBench.RunAsync(azurite.ConnectionString, hostOptions, errors, round, polling, options.Calls));
            }
        }
    }

    if (options.Only.Contains("overhead") || options.Only.Contains("fanout"))
    {
        var timeline = new Timeline();
        await using var host = await BenchHost.StartAsync(azurite.ConnectionString, hostOptions with { SeedDatasets = options.Only.Contains("overhead") }, timeline, errors);
        if (options.Only.Contains("overhead"))
        {
            foreach (var config in options.Full ? new[] { "configs/tiny.json", "configs/demo.json" } : ["configs/tiny.json"])
            {
                Summary.Progress($"overhead: run {config} through POST /api/runs");
                var before = errors.Snapshot();
                var result = await OverheadBench.RunAsync(host, timeline, repoRoot, config, TimeSpan.FromMinutes(90));
                overhead.Add(result with { EngineProblems = errors.Since(before) });
            }
        }

        if (options.Only.Contains("fanout"))
        {
            Summary.Progress($"fan-out: LabelComparisons over {options.Batches} batches of {options.BatchSize} prompts, K={options.K}");
            var before = errors.Snapshot();
            var result = await FanOutBench.RunAsync(host, timeline, repoRoot, options.Batches, options.BatchSize, options.K, TimeSpan.FromMinutes(60));
            fanOut = result with { EngineProblems = errors.Since(before) };
        }
    }
}

var report = new PlatformReport(
    new MachineInfo(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, loadStart, LoadAverage(), BenchClock.Now - started,
        "Shared machine: other builds and tests ran at the same time; load average is (1, 5, 15)-minute."),
    overhead, dispatch, fanOut);
Console.WriteLine(JsonSerializer.Serialize(report, JsonDefaults.Indented));
Summary.Write(report);
try
{
    Directory.Delete(dataDir, recursive: true);
}
catch (IOException)
{
    // job logs left behind in the temp folder; harmless
}

return 0;

static IReadOnlyList<double> LoadAverage() =>
    File.Exists("/proc/loadavg")
        ? [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))]
        : [];

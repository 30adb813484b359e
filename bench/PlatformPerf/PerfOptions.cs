using System.Globalization;

namespace Rlhf.Bench.PlatformPerf;

/// <summary>Command line of the bench. Every figure has a default; <c>--full</c> adds the demo run (about 15 minutes).</summary>
public sealed record PerfOptions
{
    /// <summary>Also run <c>configs/demo.json</c> end to end.</summary>
    public bool Full { get; init; }

    /// <summary>Sequential no-op activity calls per dispatch measurement.</summary>
    public int Calls { get; init; } = 200;

    /// <summary><c>MaxQueuePollingInterval</c> settings to measure dispatch under (the first is the local host's).</summary>
    public IReadOnlyList<TimeSpan> Polling { get; init; } = [TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)];

    /// <summary>Times the polling settings are measured; round 2 runs them in reverse order, so load drift shows.</summary>
    public int Rounds { get; init; } = 2;

    /// <summary>Label batches of the fan-out measurement.</summary>
    public int Batches { get; init; } = 1000;

    /// <summary>Prompts per label batch (the tiny config's).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Completions per prompt (the demo config's): C(K,2) comparisons per prompt.</summary>
    public int K { get; init; } = 4;

    /// <summary>Which measurements to run: overhead, dispatch, fanout (default all).</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "overhead", "dispatch", "fanout" };

    public const string Usage =
        "platform-perf [--full] [--calls 200] [--polling-ms 1000,100,30000] [--rounds 2] [--batches 1000] [--batch-size 8] [--k 4] [--only overhead,dispatch,fanout]";

    public static PerfOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new PerfOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. Usage: {Usage}");
            static List<string> List(string value) => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            options = args[i] switch
            {
                "--full" => options with { Full = true },
                "--calls" => options with { Calls = Positive(Value()) },
                "--polling-ms" => options with { Polling = [.. List(Value()).Select(v => TimeSpan.FromMilliseconds(Positive(v)))] },
                "--rounds" => options with { Rounds = Positive(Value()) },
                "--batches" => options with { Batches = Positive(Value()) },
                "--batch-size" => options with { BatchSize = Positive(Value()) },
                "--k" => options with { K = Positive(Value()) },
                "--only" => options with { Only = new HashSet<string>(List(Value()), StringComparer.Ordinal) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Usage: {Usage}"),
            };
        }

        return options.Calls < 2 || options.K < 2
            ? throw new ArgumentException("--calls and --k need at least 2.")
            : options;
    }

    private static int Positive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"'{value}' is not a positive integer.");
}

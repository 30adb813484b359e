using System.Globalization;

namespace Rlhf.Bench.TrainerPerf;

/// <summary>
/// Command-line options of <c>trainer-perf</c>. Workload sizes left null come from the preset (<see cref="Workload"/>).
/// <c>--quick</c> shrinks the repetitions for a smoke check; explicit options still win over it.
/// </summary>
public sealed record PerfOptions
{
    public const string Usage = """
        trainer-perf [--preset small|demo|gpt2] [--quick] [--threads N] [--device cpu|cuda[:i]] [--seed N]
                     [--n-layer N] [--n-head N] [--n-embd N] [--n-positions N] [--tokenizer byte|words|gpt2]
                     [--batch N] [--block N] [--sft-steps N] [--matmul-size N]
                     [--gen-batch N] [--gen-tokens N] [--gen-runs N]
                     [--ppo-batch N] [--ppo-new-tokens N] [--ppo-epochs N] [--ppo-iters N] [--ppo-seconds N]
                     [--critic-free-group G]   (also GRPO and RLOO at PPO's rollout size: batch / G prompts × G)
        Prints one JSON object on stdout and a readable summary on stderr (see docs/performance.md).
        """;

    /// <summary>small (the tests' tiny GPT) | demo (configs/demo.json) | gpt2 (124M, random weights).</summary>
    public string Preset { get; init; } = "demo";

    /// <summary>Fewer steps and runs, for a fast check that everything works.</summary>
    public bool Quick { get; init; }

    /// <summary>libtorch intra-op threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Torch device: cpu, cuda, cuda:1.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Seed of weights, batches and sampling.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Architecture overrides of the preset.</summary>
    public int? NLayer { get; init; }

    public int? NHead { get; init; }

    public int? NEmbd { get; init; }

    public int? NPositions { get; init; }

    public string? Tokenizer { get; init; }

    /// <summary>SFT windows per step and tokens per window (null = the preset's).</summary>
    public int? Batch { get; init; }

    public int? Block { get; init; }

    /// <summary>Timed SFT steps (after warm-up steps).</summary>
    public int SftSteps { get; init; } = 20;

    /// <summary>Side of the square float32 matrices of the matmul peak.</summary>
    public int MatmulSize { get; init; } = 2048;

    /// <summary>Prompts generated in parallel.</summary>
    public int GenBatch { get; init; } = 8;

    /// <summary>New tokens per generation (capped by the model's context).</summary>
    public int GenTokens { get; init; } = 128;

    /// <summary>Timed generations per mode (best kept).</summary>
    public int GenRuns { get; init; } = 2;

    /// <summary>PPO rollout batch, response length and epochs (null = the preset's).</summary>
    public int? PpoBatch { get; init; }

    public int? PpoNewTokens { get; init; }

    public int? PpoEpochs { get; init; }

    /// <summary>Most PPO iterations measured (warm-up included).</summary>
    public int PpoIterations { get; init; } = 200;

    /// <summary>Wall-clock budget of the PPO phase; it stops after the iteration that crosses it.</summary>
    public int PpoSeconds { get; init; } = 300;

    /// <summary>G of the GRPO/RLOO comparison run after PPO on the same rollout size; null = skip it.</summary>
    public int? CriticFreeGroup { get; init; }

    public static PerfOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var quick = args.Contains("--quick");
        var options = quick
            ? new PerfOptions { Quick = true, SftSteps = 5, MatmulSize = 1024, GenTokens = 32, GenRuns = 1, PpoIterations = 12, PpoSeconds = 60 }
            : new PerfOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--quick")
            {
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value.\n{Usage}");
            }

            var value = args[++i];
            options = name switch
            {
                "--preset" => options with { Preset = value },
                "--threads" => options with { Threads = Int(name, value) },
                "--device" => options with { Device = value },
                "--seed" => options with { Seed = Int(name, value) },
                "--n-layer" => options with { NLayer = Int(name, value) },
                "--n-head" => options with { NHead = Int(name, value) },
                "--n-embd" => options with { NEmbd = Int(name, value) },
                "--n-positions" => options with { NPositions = Int(name, value) },
                "--tokenizer" => options with { Tokenizer = value },
                "--batch" => options with { Batch = Int(name, value) },
                "--block" => options with { Block = Int(name, value) },
                "--sft-steps" => options with { SftSteps = Int(name, value) },
                "--matmul-size" => options with { MatmulSize = Int(name, value) },
                "--gen-batch" => options with { GenBatch = Int(name, value) },
                "--gen-tokens" => options with { GenTokens = Int(name, value) },
                "--gen-runs" => options with { GenRuns = Int(name, value) },
                "--ppo-batch" => options with { PpoBatch = Int(name, value) },
                "--ppo-new-tokens" => options with { PpoNewTokens = Int(name, value) },
                "--ppo-epochs" => options with { PpoEpochs = Int(name, value) },
                "--ppo-iters" => options with { PpoIterations = Int(name, value) },
                "--ppo-seconds" => options with { PpoSeconds = Int(name, value) },
                "--critic-free-group" => options with { CriticFreeGroup = Int(name, value) },
                _ => throw new ArgumentException($"Unknown option {name}.\n{Usage}"),
            };
        }

        return options;
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer (got '{value}').");
}
